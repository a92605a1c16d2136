import { clientFor, logger, startSessionOrExit } from './shared.mjs'

/**
 * The bot joins the launcher's session (same device, so the server resumes
 * it) and works until the session ends. It never ends the session itself:
 * the launcher owns it.
 */
const log = logger('bot')
const client = clientFor()

await startSessionOrExit(client, log)

// The bot's work; here, a tick a second.
let ticks = 0
const work = setInterval(() => ticks++, 1000)

client.on('ended', ({ reason }) => {
  // 410 from the server: stop working and exit cleanly.
  log('ended', { reason, ticks })
  clearInterval(work)
  client.close()
})
process.once('SIGTERM', () => {
  clearInterval(work)
  client.close()
})
