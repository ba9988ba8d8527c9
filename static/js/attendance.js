// Marking attendance in class, on a cheap phone and a weak connection.
// - Every tap carries the time it was made, on the server's clock (ISO 8601). Taps on one person go
//   out one after another (hx-sync on the row) and the server keeps the newest, so the last tap wins.
// - A row says "saving" until the server has answered its last tap; only that answer is shown. A tap
//   the server refused or failed on says so on the row, and the row goes back to what the server holds.
// - Without signal (the phone says it is offline, or the tap could not reach the server) the tap is
//   kept on the phone (offline-queue.js) and the row says "not sent yet" until it is sent; so are
//   later taps on a row whose earlier ones still wait, to keep them in order. A tap answered by a
//   redirect to the login (the session expired) is kept too, before the page goes to the login.
// - Enter (the Go key of a phone keyboard) saves that one row, never "Semua hadir".
// - "Semua hadir" first asks to confirm how many people it marks, counted from the rows still unmarked,
//   and sends exactly those people; without signal it marks them on the phone and keeps one tap each
//   (sent with if_unmarked: whoever was marked meanwhile keeps that mark). A failure says so.
// - A copy of the page kept before the meeting's day (opens_on) opens itself on the day.
(function () {
  "use strict";
  if (!window.htmx) return;
  htmx.config.timeout = 15000;

  var page = JSON.parse(document.getElementById("attendance-page").textContent);
  var text = page.messages;
  var queue = window.offlineQueue || null;
  var clockOffset = queue ? queue.clockOffset : page.now - Date.now();
  var lastTap = 0;
  var typing = {}; // row id -> remark typed while that row's answer was on its way
  var form = document.getElementById("marking-form");

  function tapTime() {
    // Strictly increasing: two quick taps never share a time.
    lastTap = Math.max(Math.round(Date.now() + clockOffset), lastTap + 1);
    return String(lastTap);
  }

  function iso(ms) {
    return new Date(Number(ms)).toISOString();
  }

  // A page kept on the phone before the meeting's day: its controls open on the day.
  if (page.opens_on) {
    var today = new Date(Date.now() + clockOffset).toLocaleDateString("en-CA", { timeZone: page.time_zone });
    if (today < page.opens_on) return;
    form.querySelectorAll("input:disabled, button:disabled").forEach(function (control) {
      control.disabled = false;
    });
    var notYet = document.getElementById("not-yet");
    if (notYet) notYet.hidden = true;
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

  // --- Taps kept on the phone ---

  function waiting(row) {
    if (!queue) return [];
    var enrollment = row.id.slice(4);
    return queue.pending().filter(function (entry) {
      return entry.session === page.session && String(entry.enrollment) === enrollment;
    });
  }

  function mustQueue(row) {
    return queue && (!navigator.onLine || (row && waiting(row).length > 0));
  }

  // The row as the phone holds it: the last tap kept for it, "not sent yet".
  function showKept(row, entry) {
    row.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = input.value === entry.status;
    });
    var field = row.querySelector("input[type=text]");
    if (field && field !== document.activeElement) field.value = entry.remark;
    row.classList.remove("att-saving", "att-unsaved", "att-unmarked");
    row.classList.add("att-queued");
    var badge = row.querySelector(".att-unmarked-badge");
    if (badge) badge.remove();
    if (!row.querySelector(".att-queued-badge")) {
      var kept = document.createElement("span");
      kept.className = "badge text-bg-secondary att-queued-badge";
      kept.textContent = text.queued;
      row.querySelector("legend").appendChild(kept);
    }
    say(row, ".att-error", "");
    say(row, ".att-state", text.queued_state);
  }

  // How many are marked, counting those marked on this phone and not sent yet.
  function showCount() {
    var counter = document.getElementById("marked-count");
    if (!counter || counter.dataset.marked === undefined) return;
    var marked = parseInt(counter.dataset.marked, 10);
    var total = parseInt(counter.dataset.total, 10);
    document.querySelectorAll(".att-row.att-queued[data-in-class]").forEach(function (row) {
      if (!row.dataset.saved) marked += 1;
    });
    if (!document.querySelector(".att-queued")) return; // as the server counted
    counter.textContent = text.marked_count.replace("{marked}", marked).replace("{total}", total);
    if (marked < total) {
      counter.appendChild(document.createTextNode(" · "));
      var strong = document.createElement("strong");
      strong.className = "text-warning-emphasis";
      strong.textContent = text.not_all_marked;
      counter.appendChild(strong);
    }
  }

  function entryFor(row, tap, ifUnmarked) {
    var checked = row.querySelector("input[type=radio]:checked");
    if (!checked) return null; // a remark alone is no mark
    var field = row.querySelector("input[type=text]");
    return {
      session: page.session,
      enrollment: row.id.slice(4),
      url: row.getAttribute("hx-post"),
      status: checked.value,
      remark: field ? field.value : "",
      tapped_at: iso(tap),
      if_unmarked: !!ifUnmarked,
      name: row.dataset.name,
      meeting: page.meeting,
    };
  }

  // Keep this row's tap on the phone; false when it cannot be kept (then it fails as before).
  function keepTap(row) {
    if (!queue) return false;
    var entry = entryFor(row, row.dataset.tap || tapTime(), false);
    if (!entry) return false;
    delete row.dataset.tap;
    showKept(row, entry);
    showCount();
    return queue.add(entry).then(
      function () {
        return true;
      },
      function () {
        undo(row);
        return false;
      }
    );
  }

  // "Semua hadir" without signal: these rows marked present on the phone, one kept tap each.
  function keepAllPresent(ids, tap) {
    var rows = ids
      .map(function (id) {
        return document.getElementById("row-" + id);
      })
      .filter(Boolean);
    var kept = rows.map(function (row) {
      row.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.checked = input.value === "present";
      });
      var entry = entryFor(row, tap, true);
      showKept(row, entry);
      return queue.add(entry);
    });
    showCount();
    var count = rows.length;
    status("info", (count === 1 ? text.all_queued_one : text.all_queued_other).replace("{count}", count));
    return Promise.all(kept);
  }

  if (queue) {
    document.addEventListener("offline-queue:change", function (event) {
      var last = {};
      event.detail.pending.forEach(function (entry) {
        if (entry.session === page.session) last[entry.enrollment] = entry;
      });
      Object.keys(last).forEach(function (enrollment) {
        var row = document.getElementById("row-" + enrollment);
        if (row && !row.dataset.tap) showKept(row, last[enrollment]);
      });
      showCount();
    });

    // A kept tap was answered: show the row as the server keeps it, unless more taps on it wait or
    // the operator is busy with it.
    document.addEventListener("offline-queue:answer", function (event) {
      var entry = event.detail.entry;
      var data = event.detail.data || {};
      if (entry.session !== page.session) return;
      var row = document.getElementById("row-" + entry.enrollment);
      if (!row || row.dataset.tap || waiting(row).length) return;
      var field = row.querySelector("input[type=text]");
      if (field && field === document.activeElement) return;
      if (data.row) {
        htmx.swap(row, data.row, { swapStyle: "outerHTML" });
        row = document.getElementById("row-" + entry.enrollment);
      } else {
        undo(row);
      }
      if (row && event.detail.status !== 200) say(row, ".att-error", data.error || "");
      var counter = document.getElementById("marked-count");
      if (data.counter && counter) htmx.swap(counter, data.counter, { swapStyle: "outerHTML" });
      showCount();
    });
  }

  // --- Taps sent at once ---

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
    // The token of the latest log-in (a kept copy of the page carries an old one).
    var token = queue && queue.csrfToken();
    if (token) event.detail.parameters.csrfmiddlewaretoken = token;
    if (rowOf(elt) === elt) {
      if (!elt.dataset.tap) elt.dataset.tap = tapTime();
      event.detail.parameters.tapped_at = iso(elt.dataset.tap);
    } else if (elt.id === "all-present") {
      event.detail.parameters.confirm = "1";
      event.detail.parameters.enrollment = elt.attIds || [];
      event.detail.parameters.tapped_at = iso(elt.attTap || tapTime());
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (rowOf(elt) === elt) {
      if (mustQueue(elt)) {
        event.preventDefault(); // no signal, or earlier taps on this row still wait: after them
        keepTap(elt);
        return;
      }
      event.detail.xhr.attTap = elt.dataset.tap;
      var field = elt.querySelector("input[type=text]");
      event.detail.xhr.attRemark = field ? field.value : "";
    } else if (elt.id === "all-present") {
      status("", "");
    }
  });

  // The session expired: keep the tap (or "Semua hadir"), then go to the login as the server asks.
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var elt = event.detail.elt;
    var redirect = event.detail.xhr.getResponseHeader("HX-Redirect");
    if (!redirect || !queue) return;
    var kept = null;
    if (rowOf(elt) === elt && event.detail.xhr.attTap === elt.dataset.tap) kept = keepTap(elt);
    else if (elt.id === "all-present" && elt.attIds) kept = keepAllPresent(elt.attIds, elt.attTap);
    if (!kept) return;
    event.preventDefault();
    Promise.resolve(kept).then(function () {
      window.location.href = redirect;
    });
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

  // "Semua hadir" never replaces a row whose own tap is on its way, or is kept on the phone.
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (
      target &&
      target.classList &&
      target.classList.contains("att-row") &&
      (target.dataset.tap || target.classList.contains("att-queued"))
    ) {
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

  // The row back to what the server holds, saying it was not saved.
  function undo(row) {
    row.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = input.value === row.dataset.saved;
    });
    var field = row.querySelector("input[type=text]");
    if (field) delete field.dataset.sent;
    delete row.dataset.tap;
    row.classList.remove("att-saving", "att-queued");
    row.classList.add("att-unsaved");
    var badge = row.querySelector(".att-queued-badge");
    if (badge) badge.remove();
    say(row, ".att-state", row.dataset.state || "");
    say(row, ".att-error", text.unsaved);
  }

  function failed(event) {
    var elt = event.detail.elt;
    // No answer at all, or a 403 (logged out, or the CSRF cookie is gone): keep the tap, as the queue does.
    var noSignal = event.type !== "htmx:responseError" || (event.detail.xhr && event.detail.xhr.status === 403);
    if (elt && elt.id === "all-present") {
      if (noSignal && queue && elt.attIds) keepAllPresent(elt.attIds, elt.attTap);
      else status("danger", text.all_failed);
      return;
    }
    var row = rowOf(elt);
    if (!row || row !== elt) return;
    if (event.detail.xhr && event.detail.xhr.attTap !== row.dataset.tap) return; // a later tap goes next
    if (noSignal && keepTap(row)) return;
    undo(row);
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
    if (mustQueue(null)) {
      keepAllPresent(ids, button.attTap);
      return;
    }
    event.detail.issueRequest(true);
  });
})();
