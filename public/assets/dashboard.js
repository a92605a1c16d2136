// The dashboard: draws the 24-hour chart of sessions online (Chart.js,
// served by the app) and keeps the figures live through Server-Sent Events.
// The server closes a stream now and then; EventSource reconnects by itself
// unless the login has ended (then the reconnect is refused).
;(() => {
  const canvas = document.getElementById('online-chart')
  let chart = null

  // Bucket starts are ISO moments in UTC: the label is their HH:mm.
  const points = (series) => ({
    labels: series.map((point) => point.at.slice(11, 16)),
    values: series.map((point) => point.sessions),
  })

  const drawChart = () => {
    if (!canvas || !window.Chart) return
    const { labels, values } = points(JSON.parse(canvas.dataset.series || '[]'))
    chart = new window.Chart(canvas, {
      type: 'line',
      data: {
        labels,
        datasets: [
          {
            label: canvas.dataset.label,
            data: values,
            borderColor: '#2554c7',
            backgroundColor: 'rgba(37, 84, 199, 0.12)',
            fill: true,
            stepped: true,
            pointRadius: 0,
            pointHitRadius: 6,
            borderWidth: 2,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: false } },
        scales: {
          x: { ticks: { autoSkip: true, maxTicksLimit: 12, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    })
  }
  drawChart()

  const live = document.querySelector('[data-live]')
  if (!live || !window.EventSource) return

  const showFigures = (figures) => {
    document.querySelectorAll('[data-figure]').forEach((element) => {
      const value = element.dataset.figure
        .split('.')
        .reduce((object, key) => (object == null ? undefined : object[key]), figures)
      if (value !== undefined) element.textContent = String(value)
    })
    const time = document.querySelector('[data-figure-time]')
    if (time && figures.at) time.textContent = figures.at.slice(0, 19).replace('T', ' ')
  }

  const showChart = (series) => {
    if (!chart || !Array.isArray(series)) return
    const { labels, values } = points(series)
    chart.data.labels = labels
    chart.data.datasets[0].data = values
    chart.update()
  }

  const paused = document.querySelector('[data-live-paused]')
  const source = new EventSource(live.dataset.live)
  source.addEventListener('figures', (event) => {
    showFigures(JSON.parse(event.data))
    if (paused) paused.hidden = true
  })
  source.addEventListener('chart', (event) => showChart(JSON.parse(event.data)))
  source.addEventListener('error', () => {
    // CLOSED: the browser gave up (e.g. the login ended); CONNECTING: it retries.
    if (paused && source.readyState === EventSource.CLOSED) paused.hidden = false
  })
})()
