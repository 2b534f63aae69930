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
    return copy;
  }

  form.querySelectorAll("[data-rows]").forEach(function (fieldset) {
    fieldset.querySelectorAll("[data-row]").forEach(addTimer);
    var add = fieldset.querySelector(".add-row");
    if (!add) return;
    add.type = "button";  // no longer a submit button: Enter in a field files the work order
    add.addEventListener("click", function () { addRow(fieldset); });
  });

  // What works only with JavaScript waits in a <template> until now.
  function placed(template) {
    var content = template.content.firstElementChild;
    template.replaceWith(content);
    return content;
  }

  // The job timer (timer.js): travel, on site, stop; one tap each, kept per appointment across reloads.
  // What it measured fills the labour rows.
  var timer = window.jobTimer;
  var jobTimer = placed(form.querySelector("template[data-job-timer]"));
  var labourRows = form.querySelector("[data-rows=labor]");
  var kindNames = { travel: "Travel", onsite: "On site" };

  function timerState() { return timer.state(appointment.value); }

  function switchTo(kind) {
    fillLabour(timer.switchTo(appointment.value, kind));
    showTimer();
  }

  function fillLabour(state) {
    Object.keys(kindNames).forEach(function (kind) {
      var spent = state.spent[kind];
      if (!spent) return;
      var row = [].find.call(labourRows.querySelectorAll("[data-row]"), function (candidate) {
        return candidate.querySelector("select").value === kind;
      }) || emptyLabourRow() || addRow(labourRows);
      row.querySelector("select").value = kind;
      row.querySelector("input[name=labor_minutes]").value = Math.max(1, Math.round(spent / 60000));
    });
  }

  function emptyLabourRow() {
    return [].find.call(labourRows.querySelectorAll("[data-row]"), function (row) {
      return !row.querySelector("input[name=labor_minutes]").value;
    });
  }

  function showTimer() {
    var state = timerState();
    var running = state.running;
    jobTimer.querySelector("[data-timer-kind]").textContent = running ? kindNames[running.kind] : "Timer stopped";
    var seconds = running ? Math.floor(timer.spent(state, running.kind) / 1000) : 0;
    jobTimer.querySelector("[data-timer-clock]").textContent = running
      ? Math.floor(seconds / 3600) + ":" + String(Math.floor(seconds / 60) % 60).padStart(2, "0") + ":" + String(seconds % 60).padStart(2, "0")
      : "";
    jobTimer.querySelectorAll("[data-timer-start]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(!!running && running.kind === button.dataset.timerStart));
    });
    jobTimer.querySelector("[data-timer-stop]").disabled = !running;
  }

  jobTimer.querySelectorAll("[data-timer-start]").forEach(function (button) {
    button.addEventListener("click", function () { switchTo(button.dataset.timerStart); });
  });
  jobTimer.querySelector("[data-timer-stop]").addEventListener("click", function () { switchTo(null); });
  appointment.addEventListener("change", function () { fillLabour(timerState()); showTimer(); });
  setInterval(showTimer, 1000);

  // The customer signs with a finger (or the mouse) on the canvas.
  var signOff = placed(form.querySelector("template[data-sign-off]"));
  var pad = signOff.querySelector("[data-signature-pad]");
  var pen = pad.getContext("2d");
  var isSigned = false;
  var keptSignature = null;  // a signature brought back from the phone's queue to fix and resend
  pen.lineWidth = 3;
  pen.lineCap = pen.lineJoin = "round";

  function at(event) {
    var box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
  }
  pad.addEventListener("pointerdown", function (event) {
    pad.setPointerCapture(event.pointerId);
    pen.beginPath();
    pen.moveTo.apply(pen, at(event));
    pen.lineTo.apply(pen, at(event));
    pen.stroke();
    isSigned = true;
    keptSignature = null;
  });
  pad.addEventListener("pointermove", function (event) {
    if (!pad.hasPointerCapture(event.pointerId)) return;
    pen.lineTo.apply(pen, at(event));
    pen.stroke();
  });
  function clearSignature() {
    pen.clearRect(0, 0, pad.width, pad.height);
    isSigned = false;
    keptSignature = null;
  }
  signOff.querySelector("[data-signature-clear]").addEventListener("click", clearSignature);

  function signature() {
    if (keptSignature) return Promise.resolve(keptSignature);
    if (!isSigned) return Promise.resolve(null);
    return new Promise(function (resolve) { pad.toBlob(resolve, "image/png"); });
  }

  // Photos are made smaller on the phone before they are kept or sent: a slow connection sends less.
  var LONGEST_SIDE = 1600;
  var photoInput = form.querySelector("#photos");
  var thumbnails = form.querySelector("[data-thumbnails]");
  var photos = [];

  function resized(file) {
    return createImageBitmap(file).then(function (image) {
      var scale = Math.min(1, LONGEST_SIDE / Math.max(image.width, image.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.8); });
    });
  }

  function addPhoto(blob) {
    photos.push(blob);
    var item = document.createElement("li");
    var image = document.createElement("img");
    image.src = URL.createObjectURL(blob);
    image.alt = "Photo " + photos.length;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.addEventListener("click", function () { photos.splice(photos.indexOf(blob), 1); item.remove(); });
    item.append(image, remove);
    thumbnails.appendChild(item);
  }

  photoInput.addEventListener("change", function () {
    var files = [].slice.call(photoInput.files);
    photoInput.value = "";  // the resized copies are sent, not the camera's originals
    files.reduce(function (previous, file) {
      return previous.then(function () { return resized(file).then(addPhoto, function () {}); });
    }, Promise.resolve());
  });

  function clearPhotos() {
    photos = [];
    thumbnails.textContent = "";
  }

  // Each work order gets its key on the phone, when it is begun: a page kept for offline use
  // would otherwise hand every work order filed from it the same one.
  var key = form.querySelector("input[name=idempotency_key]");
  function newKey() {
    return window.crypto.randomUUID ? crypto.randomUUID() : Array.prototype.map.call(
      crypto.getRandomValues(new Uint8Array(16)), function (byte) { return byte.toString(16).padStart(2, "0"); }).join("");
  }
  if (form.hasAttribute("data-new-key")) key.value = newKey();

  // Filing keeps the work order on the phone first, then sends it: nothing typed is lost to a dead signal.
  var file = form.querySelector("[data-file]");
  var queue = window.workOrderQueue;

  function kept() {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") fields.push([name, value]);
    });
    var customer = form.querySelector("#customer_id").selectedOptions[0];
    return signature().then(function (signed) {
      return {
        key: key.value, fields: fields, signature: signed, photos: photos.slice(),
        summary: form.querySelector("#summary").value, customer: customer && customer.value ? customer.textContent : "",
      };
    });
  }

  function ready() {
    file.disabled = false;
    file.textContent = "File work order";
  }

  function say(text, kind) {
    var note = form.parentNode.querySelector("[data-filing-note]") || document.createElement("p");
    note.dataset.filingNote = "";
    note.className = "flash flash-" + kind;
    note.setAttribute("role", kind === "error" ? "alert" : "status");
    note.textContent = text;
    form.before(note);
    return note;
  }

  function showErrors(item) {
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    var note = say("", "error");
    var strong = document.createElement("strong");
    strong.textContent = "Not filed yet.";
    note.append(strong, " " + (Object.keys(item.errors).length ? "Correct the fields marked below." : item.message));
    Object.keys(item.errors).forEach(function (name) {
      var control = form.querySelector("#" + CSS.escape(name)) || (name === "signature" ? pad : null);
      var message = document.createElement("p");
      message.className = "field-error";
      message.id = name + "-error";
      message.textContent = [].concat(item.errors[name]).join(" ");
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.setAttribute("aria-describedby", message.id);
        control.after(message);
      } else {
        note.append(" " + message.textContent);
      }
    });
    note.scrollIntoView();
  }

  function startNext() {
    timer.forget(appointment.value);
    form.reset();
    clearSignature();
    clearPhotos();
    key.value = newKey();
    showTimer();
  }

  if (queue) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (file.disabled) return;
      running.slice().forEach(stop);
      if (timerState().running) switchTo(null);
      file.disabled = true;
      file.textContent = "Filing…";
      kept().then(queue.save).then(queue.sendAll).then(function () { return queue.get(key.value); }).then(function (item) {
        if (item.state === "sent") { window.location.href = item.url; return; }
        if (item.state === "failed") { showErrors(item); ready(); return; }
        startNext();
        say("Saved on this phone: it is sent by itself when the connection is back. Begin the next one below.", "success");
        ready();
      }, function () { form.submit(); });  // no IndexedDB here (a private window): the page posts it as before
    });
  }
  window.addEventListener("pageshow", ready);

  // "Fix and resend": the work order the office refused, back in the form with its own key.
  var resend = new URLSearchParams(window.location.search).get("resend");
  if (queue && resend) {
    queue.get(resend).then(function (item) {
      if (!item) return;
      fillForm(item);
      key.value = item.key;
      if (item.state === "failed") showErrors(item);
    });
  }

  function fillForm(item) {
    var seen = {};
    item.fields.forEach(function (pair) {
      var name = pair[0];
      var index = seen[name] = (seen[name] || 0);
      seen[name] += 1;
      var controls = form.querySelectorAll("[name=" + name + "]");
      if (index >= controls.length) {
        var fieldset = controls[0] && controls[0].closest("[data-rows]");
        if (!fieldset) return;
        addRow(fieldset);
        controls = form.querySelectorAll("[name=" + name + "]");
      }
      if (controls[index].type !== "file") controls[index].value = pair[1];
    });
    clearPhotos();
    item.photos.forEach(addPhoto);
    clearSignature();
    if (item.signature) {
      createImageBitmap(item.signature).then(function (image) { pen.drawImage(image, 0, 0); });
      keptSignature = item.signature;
    }
  }

  fillLabour(timerState());
  showTimer();
})();
