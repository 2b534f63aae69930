// The board's drag and drop: drop a visit on another technician, day or time (or on the
// unassigned list) and the board's move form is filled in and sent, as if typed. The server
// decides; a refusal comes back as the board with the form open, its message and "book anyway".
(function () {
  "use strict";
  var form = document.getElementById("move-form");
  if (!form) return;
  var dragged = null;
  var grabbedAt = 0;  // how far into the card it was picked up, in px: the card's start lands where its left edge is

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  function startWhenDropped(cell, event) {
    var time = dragged.dataset.startsAt.split("T")[1];
    if (!cell.dataset.day) return dragged.dataset.startsAt;  // the unassigned list: same time, no one
    if (!cell.dataset.firstHour) return cell.dataset.day + "T" + time;  // a week's day: same time that day
    var box = cell.getBoundingClientRect();
    var hours = Number(cell.dataset.hours);
    var minutes = Math.round(((event.clientX - grabbedAt - box.left) / box.width) * hours * 4) * 15;
    minutes = Math.max(0, Math.min(minutes, hours * 60 - 15)) + Number(cell.dataset.firstHour) * 60;
    return cell.dataset.day + "T" + pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60);
  }

  document.querySelectorAll(".visit[draggable]").forEach(function (card) {
    card.addEventListener("dragstart", function (event) {
      dragged = card;
      grabbedAt = event.clientX - card.getBoundingClientRect().left;
      event.dataTransfer.setData("text/plain", card.dataset.appointmentId);
      event.dataTransfer.effectAllowed = "move";
    });
    card.addEventListener("dragend", function () { dragged = null; });
  });

  document.querySelectorAll("[data-drop]").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      cell.classList.add("drop-here");
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-here"); });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      cell.classList.remove("drop-here");
      if (!dragged) return;
      form.action = form.dataset.action.replace("/0/", "/" + dragged.dataset.appointmentId + "/");
      form.elements.starts_at.value = startWhenDropped(cell, event);
      form.elements.technician_id.value = cell.dataset.technicianId || "";
      document.querySelector("[data-moving]").textContent = dragged.querySelector("strong").textContent;
      form.closest("section").hidden = false;
      form.requestSubmit();
    });
  });
})();
