/**
 * The search page, enhanced: on a narrow screen the facets start folded (the results
 * come first), and a change of sort, date or facet applies at once. Without
 * JavaScript the page works as a plain form.
 */

const form = document.getElementById("search-form");
const panel = document.getElementById("facets-panel");
const narrow = window.matchMedia("(max-width: 50rem)");

if (panel && narrow.matches) {
  panel.open = false;
}
if (panel && !narrow.matches) {
  // on a wide screen the facets are a sidebar, always shown
  panel.addEventListener("toggle", () => { panel.open = true; });
}
if (form) {
  for (const control of document.querySelectorAll("#sort, #modified_since, #modified_until, .facet-values input")) {
    control.addEventListener("change", () => form.requestSubmit());
  }
}
