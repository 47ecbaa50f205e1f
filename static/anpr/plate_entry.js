// Reading a plate from the photo: choosing a kind of plate whose fields sit in a closed section («A foreign
// plate», an Iranian plate of another layout) opens that section and puts the cursor in its first box, so the
// person does not have to find it; the Iranian boxes are then emptied and disabled (a plate read in part fills
// them), so that they are not taken for part of it. Choosing the Iranian kind enables them again and leaves the
// sections as they are. Without this file the sections still open by hand, and the server ignores the Iranian
// boxes of a foreign or other-layout plate (a refused submit shows them empty).
(function () {
  "use strict";
  var form = document.querySelector("[data-plate-form]");
  if (!form) return;
  var boxes = form.querySelectorAll("[data-plate-entry] input, [data-plate-entry] select");

  function iranianBoxes(kind) {
    var off = kind !== "IR";
    boxes.forEach(function (box) {
      if (off) box.value = "";
      box.disabled = off;
    });
  }

  var checked = form.querySelector('input[name="kind"]:checked');
  if (checked) iranianBoxes(checked.value);

  form.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio.name !== "kind" || !radio.checked) return;
    iranianBoxes(radio.value);
    var section = form.querySelector('details[data-opens-for="' + radio.value + '"]');
    if (!section) return;
    section.open = true;
    var first = section.querySelector("input, select, textarea");
    if (first) first.focus();
  });
})();
