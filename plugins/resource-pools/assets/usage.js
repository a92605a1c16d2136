// Draws the pools' usage per type (free, allocated, quarantined) from the
// JSON the page carries (the panel's CSP allows no inline script).
document.addEventListener('DOMContentLoaded', () => {
  const canvas = document.getElementById('usage-chart')
  const data = document.getElementById('usage-data')
  if (!canvas || !data || !window.Chart) return
  const rows = JSON.parse(data.textContent)
  const series = ['available', 'allocated', 'quarantined']
  const names = {
    available: canvas.dataset.free,
    allocated: canvas.dataset.allocated,
    quarantined: canvas.dataset.quarantined,
  }
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map((row) => row.label),
      datasets: series.map((key) => ({ label: names[key], data: rows.map((row) => row[key]) })),
    },
    options: {
      animation: false,
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  })
})
