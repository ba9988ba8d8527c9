// Public pages (/pelatihan/): the error summary takes the focus when the page opens, so a screen
// reader reads it first and the keyboard starts there; a link in it moves the focus into its field
// and shows the field's label or legend too (a plain #anchor only scrolls).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var label = field.closest("fieldset");
    label = label ? label.querySelector("legend") : document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
});
