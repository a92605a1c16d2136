// Draws the lead CRM's conversions-per-month chart from the JSON the page
// carries (the panel's CSP allows no inline script).
document.addEventListener('DOMContentLoaded', () => {
  const canvas = document.getElementById('conversions-chart')
  const data = document.getElementById('conversions-data')
  if (!canvas || !data || !window.Chart) return
  const points = JSON.parse(data.textContent)
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: points.map((point) => point.month),
      datasets: [{ label: canvas.dataset.label, data: points.map((point) => point.count) }],
    },
    options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  })
})
