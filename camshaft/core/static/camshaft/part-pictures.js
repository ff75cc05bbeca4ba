// Back office, part pictures: drag a row of the pictures table to reorder;
// the position fields follow, so saving without this script works the same.
(function () {
  "use strict";
  var body = document.querySelector(".part-pictures tbody");
  if (!body) return;
  var dragged = null;
  function renumber() {
    body.querySelectorAll("tr.form-row").forEach(function (row, index) {
      var input = row.querySelector("td.field-position input");
      if (input) input.value = index;
    });
  }
  body.querySelectorAll("tr.form-row").forEach(function (row) {
    row.draggable = true;
    row.title = "Drag to reorder";
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
    });
    row.addEventListener("dragover", function (event) {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      var box = row.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      body.insertBefore(dragged, after ? row.nextSibling : row);
    });
    row.addEventListener("dragend", function () {
      dragged = null;
      renumber();
    });
  });
})();
