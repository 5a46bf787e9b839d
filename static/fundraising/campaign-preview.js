/* The campaign form's live preview: the bar as the form now describes it (target, currency, language,
   milestones, ...), drawn by the server's own SVG renderer from the form as it stands (POST, CSRF token in
   the form data), over this month's figures. Redrawn 400 ms after the last change. */
(function () {
  var box = document.querySelector(".fr-form-preview");
  var form = box && box.closest("form");
  if (!box || !form || !window.fetch) return;
  var img = box.querySelector("#fr-preview-img"), status = box.querySelector("#fr-preview-status");
  var timer = null, shown = null, asked = 0;

  function draw() {
    var mine = ++asked;
    fetch(box.getAttribute("data-preview-url"), { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        return (response.ok ? response.blob() : response.text()).then(function (body) { return [response.ok, body]; });
      })
      .then(function (result) {
        if (mine !== asked) return;  // a later change is on its way
        if (!result[0]) { status.textContent = "No preview yet: " + result[1]; img.hidden = true; return; }
        if (shown) URL.revokeObjectURL(shown);
        shown = URL.createObjectURL(result[1]);
        img.src = shown;
        img.alt = "Preview of the campaign's bar";
        img.hidden = false;
        status.textContent = "";
      })
      .catch(function () { if (mine === asked) status.textContent = "The preview could not be drawn just now."; });
  }

  function later() { clearTimeout(timer); timer = setTimeout(draw, 400); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  draw();
})();
