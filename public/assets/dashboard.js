// The dashboard: draws the 24-hour chart and keeps the figures live through
// Server-Sent Events (the connection reconnects by itself).
;(() => {
  const canvas = document.getElementById('online-chart')
  let chart = null

  const points = (series) => ({
    labels: series.map((point) => point.hour.slice(11, 16)),
    values: series.map((point) => point.sessions),
  })

  if (canvas && window.Chart) {
    const { labels, values } = points(JSON.parse(canvas.dataset.series))
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
            tension: 0.25,
            pointRadius: 2,
          },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    })
  }

  const live = document.querySelector('[data-live]')
  if (!live || !window.EventSource) return
  const source = new EventSource(live.dataset.live)
  source.addEventListener('figures', (event) => {
    const figures = JSON.parse(event.data)
    document.querySelectorAll('[data-figure]').forEach((element) => {
      const value = element.dataset.figure
        .split('.')
        .reduce((object, key) => (object ? object[key] : undefined), figures)
      if (value !== undefined) element.textContent = String(value)
    })
    const time = document.querySelector('[data-figure-time]')
    if (time) time.textContent = figures.at.slice(0, 19).replace('T', ' ')
    if (chart && figures.online) {
      const { labels, values } = points(figures.online)
      chart.data.labels = labels
      chart.data.datasets[0].data = values
      chart.update()
    }
  })
})()
