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
