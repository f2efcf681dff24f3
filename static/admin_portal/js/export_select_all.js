// The export page (templates/admin/portal/export.html): the "select all" box, wired up here
// instead of an inline onchange attribute (Content-Security-Policy).
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", (event) => window.onSelectToggleChange(event));
  }
});
