/* The poster's "Print this poster" button (a file, not inline: the page needs no script permission). */
document.getElementById("print").addEventListener("click", function () { window.print(); });
