/* The admin's one-click answer to "Did you mean 25.50 $?": the button beside the question puts the reading
   into the field it is about (replacing only what was typed, so one preset among several changes), and the
   person saves again. Without JavaScript the question still says what to type. */
document.addEventListener("click", function (event) {
  var button = event.target.closest(".fr-suggest");
  if (!button) return;
  var row = button.closest("td, .form-row");
  var field = row && row.querySelector("input[type=text], input:not([type]), textarea");
  if (!field) return;
  var typed = button.getAttribute("data-from"), answer = button.getAttribute("data-to");
  field.value = typed && field.value.indexOf(typed) !== -1 ? field.value.replace(typed, answer) : answer;
  field.focus();
  button.disabled = true;
  button.textContent = button.textContent + " ✓";
});
