(function () {
  "use strict";
  var table = document.getElementById("articles");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var critical = document.getElementById("only-critical");
  var shown = document.getElementById("shown");
  document.getElementById("controls").hidden = false;
  function apply() {
    var query = filter.value.trim().toLowerCase();
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var keep = row.dataset.id.toLowerCase().indexOf(query) >= 0 &&
        (!critical.checked || Number(row.dataset.critical) > 0);
      row.hidden = !keep;
      if (keep) count++;
    });
    shown.textContent = count + " of " + body.rows.length + " articles shown";
  }
  filter.addEventListener("input", apply);
  critical.addEventListener("change", apply);
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.value, y = b.cells[column].dataset.value;
        var order = x !== undefined && y !== undefined ? Number(x) - Number(y)
          : a.cells[column].textContent.localeCompare(b.cells[column].textContent);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
