"use strict";
// Sorting: a sortable table's rows by the column whose heading is selected (again to
// reverse). Cells carry data-value; numbers compare as numbers. The page reads the same
// without it: the table comes sorted by the degraded share.
for (const table of document.querySelectorAll("table.sortable")) {
  const headings = [...table.tHead.rows[0].cells];
  headings.forEach((th, column) => {
    th.tabIndex = 0;
    const sort = () => {
      const descending = th.getAttribute("aria-sort") !== "descending";
      headings.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const body = table.tBodies[0];
      const key = (row) => row.cells[column].dataset.value ?? row.cells[column].textContent;
      const rows = [...body.rows].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const order = isNaN(x) || isNaN(y) ? x.localeCompare(y) : x - y;
        return descending ? -order : order;
      });
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
}
// How long the page took to load and lay out, in milliseconds, for tests that time it.
addEventListener("load", () => {
  document.body.getBoundingClientRect();
  document.documentElement.dataset.loadMs = Math.round(performance.now());
});
