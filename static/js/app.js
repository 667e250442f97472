// Small behaviours that earn their place; every form still works without them.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (!select || !select.form) return;
  // data-autosubmit="a_field": that hidden field tells the view this choice changed.
  const changed = select.dataset.autosubmit && select.form.elements[select.dataset.autosubmit];
  if (changed) changed.value = "1";
  select.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
