import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { clientFor, logger, startSessionOrExit } from './shared.mjs'

/**
 * The launcher logs in, starts the bot, and restarts it when it crashes.
 * It owns the session: it ends it when it stops (releaseOnExit), so the
 * customer can log in elsewhere at once.
 */
const log = logger('launcher')
const client = clientFor({ releaseOnExit: true })

const session = await startSessionOrExit(client, log)
if (session.update) log('update-available', { version: session.update.current_version })

const botPath = fileURLToPath(new URL('./bot.mjs', import.meta.url))
let bot = null
let stopping = false
const restarts = []

function startBot() {
  // The IPC channel closes when the launcher dies, however it dies: the bot
  // hears it and stops, rather than run on unattended.
  bot = spawn(process.execPath, [botPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  log('bot-started', { bot: bot.pid })
  bot.on('exit', (code, signal) => {
    log('bot-exited', { code, signal })
    bot = null
    if (stopping) return finish()
    // A bot that crashed (killed, or an error) comes straight back; one
    // that stopped on purpose (0) or was refused (2) ends the launcher.
    const crashed = signal !== null || (code !== 0 && code !== 2)
    restarts.push(Date.now())
    const recent = restarts.filter((at) => at > Date.now() - 60_000).length
    if (crashed && recent <= 5) return startBot()
    stop()
  })
}

function stop() {
  stopping = true
  if (bot) bot.kill('SIGTERM')
  else finish()
}

async function finish() {
  await client.endSession().catch(() => {})
  log('stopped')
  process.exit(0)
}

client.on('ended', ({ reason }) => {
  log('ended', { reason })
  stopping = true
  if (!bot) return finish()
  // The bot hears the same 410 at its own next heartbeat and stops by
  // itself; only one that does not gets a nudge.
  setTimeout(() => bot?.kill('SIGTERM'), 5000).unref()
})
client.on('retrying', ({ attempt, error }) => log('retrying', { attempt, code: error.code }))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
startBot()
