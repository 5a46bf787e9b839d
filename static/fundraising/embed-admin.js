/* Copy buttons of the admin Embed page. */
document.addEventListener("click", function (event) {
  var id = event.target.getAttribute && event.target.getAttribute("data-copy");
  if (!id) return;
  var field = document.getElementById(id);
  field.select();
  var done = function () { event.target.textContent = "Copied"; };
  if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
  else if (document.execCommand("copy")) done();
});
