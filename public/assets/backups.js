// The backups page: while a backup or restore is queued or running, asks
// the server every 2 seconds how far it is and shows its phase and
// progress. When nothing is left to wait for (or something new started),
// the page reloads to list the archives as they are now. The server words
// every label; this script only puts them in place.
;(() => {
  const root = document.querySelector('[data-backup-activity]')
  if (!root || root.dataset.busy !== 'true') return
  const url = root.dataset.backupActivity
  const INTERVAL_MS = 2000

  const known = () =>
    new Set(Array.from(root.querySelectorAll('[data-attempt]'), (item) => item.dataset.attempt))
  const knownRestores = () =>
    new Set(Array.from(root.querySelectorAll('[data-restore]'), (item) => item.dataset.restore))

  const setText = (item, selector, text) => {
    const element = item.querySelector(selector)
    if (element && element.textContent !== text) element.textContent = text
  }

  const show = (status) => {
    if (!status.busy) return false
    const ids = known()
    const restores = knownRestores()
    const changed =
      status.backups.some((attempt) => !ids.has(String(attempt.id))) ||
      status.restores.some((restore) => !restores.has(restore.name))
    if (changed) return false
    for (const attempt of status.backups) {
      const item = root.querySelector(`[data-attempt="${attempt.id}"]`)
      setText(item, '[data-attempt-status]', attempt.statusLabel)
      setText(item, '[data-attempt-phase]', attempt.phaseLabel)
      setText(item, '[data-attempt-percent]', `${attempt.progress} %`)
      const bar = item.querySelector('[data-attempt-progress]')
      if (bar) bar.value = attempt.progress
    }
    return true
  }

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
      })
      if (response.ok && response.headers.get('content-type')?.includes('application/json')) {
        if (!show(await response.json())) {
          window.location.reload()
          return
        }
      }
    } catch {
      // The server is away for a moment (a restore, a restart): try again.
    }
    setTimeout(poll, INTERVAL_MS)
  }
  setTimeout(poll, INTERVAL_MS)
})()
