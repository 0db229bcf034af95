// cnopad: the only script besides HTMX. After HTMX swaps a form, focus moves to its message so
// keyboard and screen-reader users hear the result (saved, or what to correct).
document.addEventListener("htmx:afterSettle", function () {
  var message = document.querySelector(".record-form .alert, .record-form .saved");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});
