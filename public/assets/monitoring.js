// The monitoring page: draws the last hour's request rate and latency
// (Chart.js, served by the app) and polls the page's JSON every few
// seconds. The server formats every figure (`display`); this script only
// puts the texts in place and feeds the charts. A failed poll (the login
// ended, the server is away) shows a note and keeps trying.
;(() => {
  const root = document.querySelector('[data-monitoring]')
  if (!root) return
  const charts = {}

  // Bucket starts are ISO moments in UTC: the label is their HH:mm.
  const labelsOf = (points) => points.map((point) => point.at.slice(11, 16))
  const ms = (seconds) => (seconds === null ? null : Math.round(seconds * 100000) / 100)

  const line = (label, color, data, fill) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: fill ? color.replace('rgb(', 'rgba(').replace(')', ', 0.12)') : color,
    fill: Boolean(fill),
    spanGaps: false,
    pointRadius: 0,
    pointHitRadius: 6,
    borderWidth: 2,
    tension: 0.2,
  })

  const options = (unit) => ({
    animation: false,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { position: 'bottom' },
      tooltip: {
        callbacks: {
          label: (item) =>
            `${item.dataset.label}: ${item.parsed.y === null ? '—' : item.parsed.y}${unit}`,
        },
      },
    },
    scales: {
      x: { ticks: { autoSkip: true, maxTicksLimit: 12, maxRotation: 0 } },
      y: { beginAtZero: true },
    },
  })

  const datasets = {
    requests: (points, labels) => [
      line(
        labels.requests,
        'rgb(37, 84, 199)',
        points.map((p) => p.requestsPerSecond),
        true
      ),
      line(
        labels.serverErrors,
        'rgb(192, 57, 43)',
        points.map((p) => p.serverErrorsPerSecond)
      ),
      line(
        labels.clientErrors,
        'rgb(200, 130, 20)',
        points.map((p) => p.clientErrorsPerSecond)
      ),
    ],
    latency: (points, labels) => [
      line(
        labels.p50,
        'rgb(37, 84, 199)',
        points.map((p) => ms(p.p50))
      ),
      line(
        labels.p99,
        'rgb(142, 68, 173)',
        points.map((p) => ms(p.p99))
      ),
    ],
  }

  const draw = (points) => {
    for (const [name, unit] of [
      ['requests', '/s'],
      ['latency', ' ms'],
    ]) {
      const canvas = document.getElementById(`${name}-chart`)
      if (!canvas || !window.Chart) continue
      const labels = JSON.parse(canvas.dataset.labels || '{}')
      if (charts[name]) {
        charts[name].data.labels = labelsOf(points)
        charts[name].data.datasets.forEach((dataset, index) => {
          dataset.data = datasets[name](points, labels)[index].data
        })
        charts[name].update()
      } else {
        charts[name] = new window.Chart(canvas, {
          type: 'line',
          data: { labels: labelsOf(points), datasets: datasets[name](points, labels) },
          options: options(unit),
        })
      }
    }
  }
  draw(JSON.parse(root.dataset.points || '[]'))
  // For tests and the curious: the Chart instances.
  window.keywardMonitoringCharts = charts

  const cell = (text, className) => {
    const td = document.createElement('td')
    if (className) td.className = className
    td.textContent = text
    return td
  }

  const showJobRuns = (runs) => {
    const body = root.querySelector('[data-job-runs]')
    if (!body) return
    const rows = runs.map((run) => {
      const tr = document.createElement('tr')
      const job = document.createElement('td')
      const code = document.createElement('code')
      code.textContent = run.job
      job.append(code)
      const outcome = document.createElement('td')
      const badge = document.createElement('span')
      badge.className = `badge badge-${run.outcome.tone}`
      badge.textContent = run.outcome.label
      outcome.append(badge)
      tr.append(job, outcome, cell(run.at), cell(run.duration, 'numeric'))
      tr.append(cell(run.lastSuccess), cell(run.error))
      return tr
    })
    if (rows.length === 0) {
      const tr = document.createElement('tr')
      const td = cell(body.dataset.empty || '', 'muted')
      td.colSpan = 6
      tr.append(td)
      rows.push(tr)
    }
    body.replaceChildren(...rows)
  }

  const show = (data) => {
    const display = data.display || {}
    root.querySelectorAll('[data-figure]').forEach((element) => {
      const text = (display.figures || {})[element.dataset.figure]
      if (text !== undefined) element.textContent = text
    })
    root.querySelectorAll('[data-status]').forEach((element) => {
      const status = (display.statuses || {})[element.dataset.status]
      if (!status) return
      element.className = `badge badge-${status.tone}`
      element.textContent = status.label
    })
    showJobRuns(display.jobRuns || [])
    if (data.http) draw(data.http.points)
  }

  const paused = root.querySelector('[data-live-paused]')
  const every = Math.max(1, Number(root.dataset.refresh) || 10) * 1000
  let busy = false
  const poll = async () => {
    if (busy) return
    busy = true
    try {
      const response = await fetch(root.dataset.monitoring, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual',
      })
      const type = response.headers.get('content-type') || ''
      if (!response.ok || !type.includes('application/json')) throw new Error('not live')
      show(await response.json())
      if (paused) paused.hidden = true
    } catch {
      if (paused) paused.hidden = false
    } finally {
      busy = false
    }
  }
  setInterval(poll, every)
  // For tests: fetch the figures now instead of at the next beat.
  window.keywardMonitoringRefresh = poll
})()
