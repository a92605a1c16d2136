// The usage pages: draws the activity, heartbeat and meter charts (Chart.js,
// served by the app) from the figures the server put in `data-analytics`.
// Bucket starts are ISO moments in UTC; the label is their date, and the
// time of day when the page is drawn per hour.
;(() => {
  const root = document.querySelector('[data-analytics]')
  if (!root || !window.Chart) return
  const figures = JSON.parse(root.dataset.analytics)
  const names = JSON.parse(root.dataset.labels || '{}')
  const labels = figures.at.map((at) =>
    figures.bucket === 'hour' ? `${at.slice(5, 10)} ${at.slice(11, 16)}` : at.slice(0, 10)
  )
  const palette = ['#2554c7', '#1f8a5b', '#c0392b', '#b7791f', '#7b3fb5', '#12869a', '#6b7280']
  const charts = {}

  const dataset = (label, data, index, extra = {}) => ({
    label,
    data,
    borderColor: palette[index % palette.length],
    backgroundColor: palette[index % palette.length],
    pointRadius: 0,
    pointHitRadius: 6,
    borderWidth: 2,
    tension: 0.2,
    ...extra,
  })

  const draw = (id, type, datasets, legend = true) => {
    const canvas = document.getElementById(id)
    if (!canvas) return
    charts[id.replace('-chart', '')] = new window.Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: legend, position: 'bottom' } },
        scales: {
          x: { ticks: { autoSkip: true, maxTicksLimit: 12, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    })
  }

  draw('activity-chart', 'line', [
    dataset(names.sessions, figures.sessions, 0, { stepped: true }),
    dataset(names.devices, figures.devices, 1, { stepped: true }),
  ])
  draw('heartbeats-chart', 'bar', [dataset(names.heartbeats, figures.heartbeats, 0)], false)
  draw(
    'meters-chart',
    'line',
    figures.meters.map((meter, index) => dataset(meter.label, meter.data, index))
  )
  // For the browser tests: what was drawn.
  window.keywardAnalyticsCharts = charts
})()
