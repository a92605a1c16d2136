import { clientFor, logger, startSessionOrExit } from './shared.mjs'

/**
 * The bot joins the launcher's session (same device, so the server resumes
 * it) and works until the session ends. It never ends the session while its
 * launcher runs: the launcher owns it. Started by a launcher, it never
 * outlives it either: a bot left behind would hold the license.
 */
const log = logger('bot')
const client = clientFor()

await startSessionOrExit(client, log)

// The bot's work; here, a tick a second.
let ticks = 0
const work = setInterval(() => ticks++, 1000)

function stopWorking() {
  clearInterval(work)
  client.close()
  // Lets the bot exit: a 'disconnect' listener keeps the channel open.
  process.removeListener('disconnect', onLauncherGone)
  if (process.connected) process.disconnect()
}

async function onLauncherGone() {
  // The launcher was killed without stopping the bot: the session's last
  // program on this machine ends it, so the customer can log in elsewhere.
  log('launcher-gone', { ticks })
  await client.endSession().catch(() => {})
  stopWorking()
}

client.on('ended', ({ reason }) => {
  // 410 from the server: stop working and exit cleanly.
  log('ended', { reason, ticks })
  stopWorking()
})
process.once('SIGTERM', stopWorking)
// Only when a launcher started it (with an IPC channel); run by hand, it has none.
if (process.channel) process.once('disconnect', onLauncherGone)
