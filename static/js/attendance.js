// Marking attendance in class, on a cheap phone and a weak connection.
// - Every tap carries the time it was made, on the server's clock. Taps on one person go out one after
//   another (hx-sync on the row) and the server keeps the newest, so the last tap wins.
// - A row says "saving" until the server has answered its last tap; only that answer is shown. A tap
//   that failed says so on the row, and the row goes back to what the server holds.
// - Enter (the Go key of a phone keyboard) saves that one row, never "Semua hadir".
// - "Semua hadir" first asks to confirm how many people it marks, counted from the rows still unmarked,
//   and sends exactly those people; a failure says so.
(function () {
  "use strict";
  if (!window.htmx) return;
  htmx.config.timeout = 15000;

  var page = JSON.parse(document.getElementById("attendance-page").textContent);
  var text = page.messages;
  var clockOffset = page.now - Date.now();
  var lastTap = 0;
  var typing = {}; // row id -> remark typed while that row's answer was on its way

  function tapTime() {
    // Strictly increasing: two quick taps never share a time.
    lastTap = Math.max(Math.round(Date.now() + clockOffset), lastTap + 1);
    return String(lastTap);
  }

  function rowOf(node) {
    var row = node && node.closest ? node.closest(".att-row") : null;
    return row && row.hasAttribute("hx-post") ? row : null;
  }

  function isRemark(node) {
    return node.tagName === "INPUT" && node.type === "text";
  }

  // The remark the server holds or was last sent for this field.
  function sentRemark(field) {
    return field.dataset.sent !== undefined ? field.dataset.sent : field.defaultValue;
  }

  function say(row, selector, message) {
    var place = row.querySelector(selector);
    if (place) place.textContent = message;
  }

  function status(kind, message) {
    var place = document.getElementById("all-present-status");
    if (!place) return;
    place.textContent = "";
    if (!message) return;
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " mb-2";
    if (kind === "danger") box.setAttribute("role", "alert");
    box.textContent = message;
    place.appendChild(box);
  }

  // A tap (or a changed remark): note its time; the row says "saving" until the answer to it.
  document.addEventListener(
    "change",
    function (event) {
      var row = rowOf(event.target);
      if (!row) return;
      if (isRemark(event.target)) {
        if (event.target.value === sentRemark(event.target)) {
          event.stopPropagation(); // already sent by Enter: no second request on leaving the field
          return;
        }
        event.target.dataset.sent = event.target.value;
      }
      if (row.dataset.state === undefined) row.dataset.state = row.querySelector(".att-state").textContent;
      row.dataset.tap = tapTime();
      row.classList.remove("att-unsaved");
      row.classList.add("att-saving");
      say(row, ".att-error", "");
      say(row, ".att-state", text.saving);
    },
    true
  );

  function saveRemark(field) {
    if (field.value !== sentRemark(field)) field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Enter in a row saves that row (its remark, if changed) and never submits the form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !rowOf(event.target) || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    if (isRemark(event.target)) saveRemark(event.target);
  });

  // Should a keyboard submit the form anyway (its default button is a hidden "save"), save the row only.
  var form = document.getElementById("marking-form");
  form.addEventListener("submit", function (event) {
    if (!event.submitter || event.submitter.id !== "marking-default") return;
    event.preventDefault();
    var field = document.activeElement;
    if (rowOf(field) && isRemark(field)) saveRemark(field);
  });

  // A remark restored after an answer came (see below) is saved when the field is left.
  document.addEventListener("focusout", function (event) {
    if (rowOf(event.target) && isRemark(event.target)) saveRemark(event.target);
  });

  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (rowOf(elt) === elt) {
      if (!elt.dataset.tap) elt.dataset.tap = tapTime();
      event.detail.parameters.tapped_at = elt.dataset.tap;
    } else if (elt.id === "all-present") {
      event.detail.parameters.confirm = "1";
      event.detail.parameters.enrollment = elt.attIds || [];
      event.detail.parameters.tapped_at = elt.attTap || tapTime();
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (rowOf(elt) === elt) {
      event.detail.xhr.attTap = elt.dataset.tap;
      var field = elt.querySelector("input[type=text]");
      event.detail.xhr.attRemark = field ? field.value : "";
    } else if (elt.id === "all-present") {
      status("", "");
    }
  });

  // Only the answer to a row's last tap is shown: an earlier answer would show an earlier mark.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.elt;
    if (rowOf(row) !== row || !event.detail.shouldSwap) return;
    if (event.detail.xhr.attTap !== row.dataset.tap) {
      event.detail.shouldSwap = false;
      return;
    }
    var field = row.querySelector("input[type=text]");
    if (field && field === document.activeElement && field.value !== event.detail.xhr.attRemark) {
      typing[row.id] = field.value; // typed since the tap was sent: keep it
    }
  });

  // "Semua hadir" never replaces a row whose own tap is on its way.
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("att-row") && target.dataset.tap) {
      event.detail.shouldSwap = false;
    }
  });

  document.body.addEventListener("htmx:load", function (event) {
    var row = event.detail.elt;
    if (!row.id || typing[row.id] === undefined) return;
    var field = row.querySelector("input[type=text]");
    if (field) field.value = typing[row.id];
    delete typing[row.id];
  });

  function failed(event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "all-present") {
      status("danger", text.all_failed);
      return;
    }
    var row = rowOf(elt);
    if (!row || row !== elt) return;
    if (event.detail.xhr && event.detail.xhr.attTap !== row.dataset.tap) return; // a later tap goes next
    row.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = input.value === row.dataset.saved;
    });
    var field = row.querySelector("input[type=text]");
    if (field) delete field.dataset.sent;
    delete row.dataset.tap;
    row.classList.remove("att-saving");
    row.classList.add("att-unsaved");
    say(row, ".att-state", row.dataset.state || "");
    say(row, ".att-error", text.unsaved);
  }
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.body.addEventListener(name, failed);
  });

  // The sticky counter never covers the field that takes focus (tabbing back up the list): Chrome
  // scrolls only the caret of a text field into view, under the counter, whatever scroll-margin says.
  var counter = document.querySelector(".att-counter");
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!counter || !field.closest || !field.closest(".att-row")) return;
    var shown = field.type === "radio" ? field.closest(".att-row") : field; // H/I/S/A: with the name above
    var covered = counter.getBoundingClientRect().bottom + 8 - shown.getBoundingClientRect().top;
    if (covered > 0) window.scrollBy({ top: -covered, behavior: "instant" });
  });

  // Before "Semua hadir" is sent: how many people it marks, counted from the rows still unmarked.
  document.body.addEventListener("htmx:confirm", function (event) {
    var button = event.detail.elt;
    if (button.id !== "all-present") return;
    event.preventDefault();
    var ids = [];
    document.querySelectorAll(".att-row.att-unmarked[hx-post]").forEach(function (row) {
      if (!row.querySelector("input[type=radio]:checked") && !row.dataset.tap) ids.push(row.id.slice(4));
    });
    if (!ids.length) {
      status("info", text.all_none);
      return;
    }
    var question = (ids.length === 1 ? text.confirm_one : text.confirm_other).replace("{count}", ids.length);
    if (!window.confirm(question)) return;
    button.attIds = ids;
    button.attTap = tapTime();
    event.detail.issueRequest(true);
  });
})();
