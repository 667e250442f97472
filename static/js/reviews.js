// The review pack: a print button, and the decisions' forms redrawn with their errors.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// A refused decision answers 400 with its form and the reasons: show it where it was (htmx
// leaves error answers unswapped by default).
document.addEventListener("htmx:beforeSwap", (event) => {
  const inDecisions = event.detail.elt.closest && event.detail.elt.closest("#pack-decisions");
  if (event.detail.xhr.status === 400 && inDecisions) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
