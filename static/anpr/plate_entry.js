// Reading a plate from the photo: choosing a kind of plate whose fields sit in a closed section («A foreign
// plate», an Iranian plate of another layout) opens that section and puts the cursor in its first box, so the
// person does not have to find it. Choosing the Iranian kind leaves the sections as they are. Without this
// file the sections still open by hand, and the page opens the chosen one after a refused submit.
(function () {
  "use strict";
  var form = document.querySelector("[data-plate-form]");
  if (!form) return;
  form.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "kind" || !radio.checked) return;
    var section = form.querySelector('details[data-opens-for="' + radio.value + '"]');
    if (!section) return;
    section.open = true;
    var first = section.querySelector("input, select, textarea");
    if (first) first.focus();
  });
})();
