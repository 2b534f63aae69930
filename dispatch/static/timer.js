// The job timer's record, per appointment, in localStorage: it outlives a reload, a closed browser and
// a phone restart. Time is measured from the clock (Date.now), so a locked phone loses none.
// On the today page, "On my way" starts travel and "Start" switches to on site, one tap each.
(function () {
  "use strict";
  var PREFIX = "dispatch.timer.";

  function key(appointmentId) { return PREFIX + (appointmentId || "none"); }
  function state(appointmentId) { return JSON.parse(localStorage.getItem(key(appointmentId)) || '{"spent": {}}'); }

  function spent(record, kind) {
    var kept = record.spent[kind] || 0;
    return record.running && record.running.kind === kind ? kept + Date.now() - record.running.since : kept;
  }

  // Start `kind` (travel, onsite), closing whatever ran; null stops the timer.
  function switchTo(appointmentId, kind) {
    var record = state(appointmentId);
    if (record.running && record.running.kind === kind) return record;
    if (record.running) record.spent[record.running.kind] = spent(record, record.running.kind);
    record.running = kind ? { kind: kind, since: Date.now() } : null;
    localStorage.setItem(key(appointmentId), JSON.stringify(record));
    return record;
  }

  function forget(appointmentId) { localStorage.removeItem(key(appointmentId)); }

  window.jobTimer = { state: state, spent: spent, switchTo: switchTo, forget: forget };

  var STATUS_STARTS = { en_route: "travel", in_progress: "onsite" };
  document.querySelectorAll("form[data-appointment-id]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var kind = STATUS_STARTS[form.querySelector("input[name=status]").value];
      if (kind) switchTo(form.dataset.appointmentId, kind);
    });
  });
})();
