import { clientFor, logger, sessionName } from './shared.mjs'

/**
 * The bot joins the launcher's session (same device, so the server resumes
 * it) and works until the session ends. It never ends the session itself:
 * the launcher owns it.
 */
const log = logger('bot')
const client = clientFor()

let session
try {
  session = await client.startSession()
} catch (error) {
  log('refused', { code: error.code, message: error.message })
  process.exit(2)
}
log('session', { session: sessionName(session.token), resumed: session.resumed })

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
