/* Copy buttons of the admin Embed page; the status next to each button says what was copied. */
document.addEventListener("click", function (event) {
  var button = event.target, id = button.getAttribute && button.getAttribute("data-copy");
  if (!id) return;
  var field = document.getElementById(id), status = button.nextElementSibling;
  var label = document.querySelector('label[for="' + id + '"]');
  field.select();
  var done = function () {
    // Empty first, so copying the same snippet twice is announced twice.
    status.textContent = "";
    setTimeout(function () { status.textContent = (label ? label.textContent : "Snippet") + " copied"; }, 50);
  };
  if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
  else if (document.execCommand("copy")) done();
});
