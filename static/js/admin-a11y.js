// The admin's tabular inlines label their fields only by the column header, and select2 (the
// autocomplete fields) shows an unlabelled combobox: give each an accessible name, so that a
// screen reader says "Tanggal, baris 2" rather than nothing.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function labelInlineFields(root) {
    root.querySelectorAll("div.tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return { colspan: th.colSpan || 1, label: text(th) };
      });
      table.querySelectorAll("tbody tr").forEach(function (row, index) {
        var column = 0;
        var labels = [];
        headers.forEach(function (header) {
          for (var i = 0; i < header.colspan; i++) labels[column++] = header.label;
        });
        Array.prototype.forEach.call(row.cells, function (cell, cellIndex) {
          var name = labels[cellIndex] || "";
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            var labelled = field.id && root.querySelector('label[for="' + field.id + '"]');
            if (!labelled && !field.getAttribute("aria-label") && name) {
              field.setAttribute("aria-label", name + " (" + (index + 1) + ")");
            }
          });
        });
      });
    });
  }

  function labelComboboxes(root) {
    root.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      if (!select) return;
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var name = (text(label) || select.getAttribute("aria-label") || "").replace(/:$/, "");
      if (!name) return;
      // the combobox, and the box showing the choice (a read-only textbox in select2's markup)
      container.querySelectorAll("[role=combobox], [role=textbox]").forEach(function (element) {
        if (!element.getAttribute("aria-label")) element.setAttribute("aria-label", name);
      });
    });
  }

  function run() {
    labelInlineFields(document);
    labelComboboxes(document);
  }

  // select2 draws its boxes when the admin's scripts get to it, and again for each new inline row.
  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () { pending = false; run(); }, 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    run();
    new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
  });
  window.addEventListener("load", run);
})();
