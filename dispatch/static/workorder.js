// The work-order form, made quicker with JavaScript; without it every part still works
// (minutes typed by hand, "Add another" buttons post the form back one row longer).
(function () {
  "use strict";
  var form = document.querySelector("form.work-order");
  if (!form) return;

  // Picking an appointment picks its customer.
  var appointment = form.querySelector("#appointment_id");
  var customer = form.querySelector("#customer_id");
  appointment.addEventListener("change", function () {
    var chosen = appointment.selectedOptions[0];
    if (chosen && chosen.dataset.customerId) customer.value = chosen.dataset.customerId;
  });

  // A start/stop timer beside each labour row's minutes; stopping adds the time worked.
  var running = [];

  function addTimer(row) {
    var minutes = row.querySelector("input[name=labor_minutes]");
    if (!minutes) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "timer";
    button.textContent = "Start timer";
    minutes.parentNode.appendChild(button);
    var timer = { button: button, minutes: minutes, startedAt: null, ticker: null };
    button.addEventListener("click", function () {
      if (timer.startedAt === null) start(timer); else stop(timer);
    });
  }

  function start(timer) {
    timer.startedAt = Date.now();
    timer.button.setAttribute("aria-pressed", "true");
    show(timer);
    // Time is measured from the clock, not counted in ticks: a locked phone pauses ticks, not work.
    timer.ticker = setInterval(function () { show(timer); }, 1000);
    running.push(timer);
  }

  function show(timer) {
    var seconds = Math.floor((Date.now() - timer.startedAt) / 1000);
    var clock = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    timer.button.textContent = "Stop " + clock;
  }

  function stop(timer) {
    clearInterval(timer.ticker);
    // A job started is at least a minute of work; otherwise to the nearest minute.
    var worked = Math.max(1, Math.round((Date.now() - timer.startedAt) / 60000));
    timer.minutes.value = (parseInt(timer.minutes.value, 10) || 0) + worked;
    timer.startedAt = null;
    timer.button.removeAttribute("aria-pressed");
    timer.button.textContent = "Start timer";
    running.splice(running.indexOf(timer), 1);
  }

  // "Add another" copies the last row, emptied, instead of posting the form back.
  function addRow(fieldset) {
    var rows = fieldset.querySelectorAll("[data-row]");
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var prefix = fieldset.dataset.rows + "_" + rows.length + "_";
    copy.querySelectorAll(".field-error, .timer").forEach(function (node) { node.remove(); });
    copy.querySelectorAll("input, select").forEach(function (control) {
      var id = prefix + control.id.split("_").slice(2).join("_");
      copy.querySelector("label[for='" + control.id + "']").htmlFor = id;
      control.id = id;
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
      if (control.tagName === "SELECT") control.selectedIndex = 0; else control.value = "";
    });
    last.after(copy);
    addTimer(copy);
    copy.querySelector("select, input").focus();
  }

  form.querySelectorAll("[data-rows]").forEach(function (fieldset) {
    fieldset.querySelectorAll("[data-row]").forEach(addTimer);
    var add = fieldset.querySelector(".add-row");
    if (!add) return;
    add.type = "button";  // no longer a submit button: Enter in a field files the work order
    add.addEventListener("click", function () { addRow(fieldset); });
  });

  // Filing stops running timers (their time counts) and happens once, however often it is tapped.
  var file = form.querySelector("[data-file]");
  form.addEventListener("submit", function (event) {
    if (file.disabled) { event.preventDefault(); return; }
    running.slice().forEach(stop);
    file.disabled = true;
    file.textContent = "Filing…";
  });
  // Back from the next page, the browser may show this one as it was left: ready to file again.
  window.addEventListener("pageshow", function () {
    file.disabled = false;
    file.textContent = "File work order";
  });
})();
