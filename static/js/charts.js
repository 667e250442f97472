// Draws every <div data-chart="id-of-a-json_script"> with plotly, on load and after htmx swaps.
function drawCharts(root) {
  if (!window.Plotly) return;
  root.querySelectorAll("[data-chart]").forEach((el) => {
    const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    window.Plotly.react(el, spec.data, spec.layout, { displayModeBar: false, responsive: true });
  });
}
document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
