// Every page: after a form comes back with errors, move the focus to its error summary, so that
// a screen reader reads it first and the keyboard starts from its links to the fields.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// A "Copy" button beside a read-only field (data-copy: the field's id) copies its value in one tap
// and says so on the button for a moment. Hidden until this script runs: without it (or without
// the clipboard, which needs a secure origin) the field is selected and copied by hand.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.dataset.copied || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        field.select();
      });
    });
  });
});

// Logging out from any page: the marking pages the portal's service worker keeps on this phone
// (they hold participants' names) go with it (static/js/offline-sw.js keeps them in this cache).
// Marks waiting to be sent stay in the phone's queue for the next log-in (offline-queue.js).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-logout") || !window.caches || form.dataset.forgotten) return;
  event.preventDefault(); // the log-out waits for the pages to be gone (a moment)
  form.dataset.forgotten = "1";
  var done = function () { form.submit(); };
  window.caches.delete("provider-pages").then(done, done);
});
