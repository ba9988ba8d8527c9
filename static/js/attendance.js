// Marking attendance on a weak connection: a tap that did not reach the server must not look saved.
(function () {
  "use strict";
  if (!window.htmx) return;
  htmx.config.timeout = 15000;

  var UNSAVED = document.documentElement.lang === "en"
    ? "Not saved: check the signal and tap again."
    : "Belum tersimpan: periksa sinyal lalu ketuk lagi.";

  // Remember what the server last confirmed for each row, to put it back when a tap fails.
  function remember(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    row.dataset.saved = checked ? checked.value : "";
  }
  document.querySelectorAll(".att-row").forEach(remember);
  document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".att-row").forEach(remember);
  });

  function failed(event) {
    var row = event.detail.elt && event.detail.elt.closest(".att-row");
    if (!row) return;
    row.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = input.value === row.dataset.saved;
    });
    row.classList.add("att-unsaved");
    var message = row.querySelector(".att-error");
    if (message) message.textContent = UNSAVED;
  }
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, failed);
  });
})();
