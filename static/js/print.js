// The print button of the A4 report (no inline scripts: the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (button) button.addEventListener("click", function () { window.print(); });
});
