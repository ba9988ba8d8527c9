// Every page: after a form comes back with errors, move the focus to its error summary, so that
// a screen reader reads it first and the keyboard starts from its links to the fields.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
