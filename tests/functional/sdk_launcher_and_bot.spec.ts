import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import SessionService from '#services/session_service'
import { createAdmin } from '#tests/support/panel'
import { baseUrl, createLicense, newApiKey } from '#tests/support/fixtures'
import { sessionOutcomes, useFastHeartbeats } from '#tests/support/sessions'
import { waitForExitOf } from '#tests/support/child_processes'
import { buildSdk, linkExampleToSdk, ProgramProcess, type LogLine } from '#tests/support/sdk'

/**
 * The example of examples/launcher-and-bot, run for real: a launcher process
 * that starts a bot process, both on the SDK, against the test server.
 * Heartbeats every second (timeout 3 s), so "within one heartbeat" is quick.
 */
test.group('SDK: launcher and bot in processes of their own', (group) => {
  let apiKey: string
  let configHome: string
  const programs: ProgramProcess[] = []

  group.setup(async () => {
    await buildSdk()
    await linkExampleToSdk()
    apiKey = await newApiKey()
    return useFastHeartbeats()
  })
  group.each.setup(async () => {
    configHome = await mkdtemp(join(tmpdir(), 'keyward-sdk-'))
    return async () => {
      for (const program of programs.splice(0)) await program.killAll()
      await rm(configHome, { recursive: true, force: true })
    }
  })
  group.each.timeout(60_000)

  async function resumableLicense() {
    return createLicense({
      type: 'perpetual',
      sessionPolicy: 'resumable',
      maxDevices: 2,
      maxSessions: 1,
    })
  }

  /**
   * A proxy in front of the test server that the test can break: `down`
   * drops every connection (network error), `busy` answers 503.
   */
  async function flakyProxy() {
    const target = new URL(baseUrl())
    let mode: 'up' | 'down' | 'busy' = 'up'
    const proxy = createServer((incoming, outgoing) => {
      if (mode === 'down') return incoming.socket.destroy()
      if (mode === 'busy') return outgoing.writeHead(503).end('busy')
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode!, answer.headers)
          answer.pipe(outgoing)
        }
      )
      incoming.pipe(forwarded)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const { port } = proxy.address() as AddressInfo
    return {
      url: `http://127.0.0.1:${port}`,
      set: (next: typeof mode) => (mode = next),
      close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
    }
  }

  function start(
    program: 'launcher' | 'bot',
    licenseKey: string,
    env: Record<string, string> = {}
  ) {
    const started = new ProgramProcess(app.makePath(`examples/launcher-and-bot/${program}.mjs`), {
      KEYWARD_URL: baseUrl(),
      KEYWARD_API_KEY: apiKey,
      KEYWARD_LICENSE_KEY: licenseKey,
      XDG_CONFIG_HOME: configHome,
      ...env,
    })
    programs.push(started)
    return started
  }

  const line = (who: string, event: string) => (entry: LogLine) =>
    entry.who === who && entry.event === event

  async function liveSessions(licenseId: number) {
    return db.from('license_sessions').where('license_id', licenseId).select('id', 'fingerprint')
  }

  test('launcher and bot share one session; another machine is refused while it is live; a killed bot is back at once', async ({
    assert,
  }) => {
    const license = await resumableLicense()
    const launcher = start('launcher', license.key)
    const launched = await launcher.waitFor(line('launcher', 'session'))
    const bot = await launcher.waitFor(line('bot', 'session'))
    assert.isFalse(launched.resumed)
    assert.isTrue(bot.resumed)
    assert.equal(bot.session, launched.session)
    assert.lengthOf(await liveSessions(license.id), 1)

    const elsewhere = start('bot', license.key, { KEYWARD_FINGERPRINT: 'kw1-another-machine-0001' })
    const refused = await elsewhere.waitFor(line('bot', 'refused'))
    assert.equal(refused.code, 'SESSION_LIMIT_REACHED')
    assert.equal((await elsewhere.exited).code, 2)

    const botStarted = await launcher.waitFor(line('launcher', 'bot-started'))
    const seen = launcher.lines.length
    const killedAt = Date.now()
    process.kill(botStarted.bot, 'SIGKILL')
    const exited = await launcher.waitFor(line('launcher', 'bot-exited'), 10_000, seen)
    assert.equal(exited.signal, 'SIGKILL')
    const back = await launcher.waitFor(line('bot', 'session'), 10_000, seen)
    assert.isTrue(back.resumed)
    assert.equal(back.session, launched.session)
    assert.isBelow(Date.now() - killedAt, 5000)
    assert.lengthOf(await liveSessions(license.id), 1)
  })

  test('a forced end reaches the bot within one heartbeat; it exits cleanly and the launcher stops', async ({
    assert,
  }) => {
    const license = await resumableLicense()
    const launcher = start('launcher', license.key)
    await launcher.waitFor(line('bot', 'session'))
    const [session] = await liveSessions(license.id)

    const sessions = await app.container.make(SessionService)
    const seen = launcher.lines.length
    const forcedAt = Date.now()
    const admin = await createAdmin()
    const actor = { type: 'admin' as const, id: admin.id, label: admin.email }
    assert.isTrue(await sessions.forceEnd(session.id, actor))
    const ended = await launcher.waitFor(line('bot', 'ended'), 10_000, seen)
    const heardAfter = Date.now() - forcedAt
    assert.equal(ended.reason, 'forced')
    // One heartbeat interval (1 s) plus the request and a scheduling margin.
    assert.isBelow(heardAfter, 1800)

    const botExit = await launcher.waitFor(line('launcher', 'bot-exited'), 10_000, seen)
    assert.equal(botExit.code, 0)
    assert.equal((await launcher.exited).code, 0)
  })

  test('a stopped launcher releases the session, so another machine gets in at once', async ({
    assert,
  }) => {
    const license = await resumableLicense()
    const launcher = start('launcher', license.key)
    await launcher.waitFor(line('bot', 'session'))
    launcher.kill('SIGTERM')
    assert.equal((await launcher.exited).code, 0)
    assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['normal'] })

    const elsewhere = start('bot', license.key, { KEYWARD_FINGERPRINT: 'kw1-another-machine-0002' })
    const joined = await elsewhere.waitFor(line('bot', 'session'))
    assert.isFalse(joined.resumed)
  })

  test('a launcher killed outright takes its bot with it, and the session is released', async ({
    assert,
  }) => {
    const license = await resumableLicense()
    const launcher = start('launcher', license.key)
    const { bot } = await launcher.waitFor(line('launcher', 'bot-started'))
    await launcher.waitFor(line('bot', 'session'))

    launcher.kill('SIGKILL')
    // The bot writes to the launcher's output, which it still holds.
    const gone = await launcher.waitFor(line('bot', 'launcher-gone'), 10_000)
    assert.equal(gone.pid, bot)
    await waitForExitOf(bot, 10_000)
    // Its errors would land on the launcher's stderr, which it shares.
    assert.equal(launcher.stderr, '')
    assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['normal'] })
  })

  test('network errors and 503s make heartbeats retry with backoff; the session lives on', async ({
    assert,
    cleanup,
  }) => {
    const proxy = await flakyProxy()
    cleanup(() => proxy.close())
    const license = await resumableLicense()
    const launcher = start('launcher', license.key, { KEYWARD_URL: proxy.url })
    const launched = await launcher.waitFor(line('launcher', 'session'))
    await launcher.waitFor(line('bot', 'session'))

    proxy.set('down')
    const dropped = await launcher.waitFor(line('launcher', 'retrying'), 5000)
    assert.equal(dropped.code, 'NETWORK_ERROR')
    proxy.set('busy')
    const seen = launcher.lines.length
    await launcher.waitFor(line('launcher', 'retrying'), 5000, seen)
    proxy.set('up')

    // Past the 3 s timeout the session would be gone without the retries.
    const [session] = await liveSessions(license.id)
    const before = await db.from('license_sessions').where('id', session.id).first()
    await new Promise((resolve) => setTimeout(resolve, 3500))
    const after = await db.from('license_sessions').where('id', session.id).first()
    assert.isAbove(after.heartbeat_count, before.heartbeat_count)
    assert.isTrue(launcher.running)
    assert.isUndefined(launcher.lines.find((entry) => entry.event === 'ended'))
    assert.isUndefined(launcher.lines.find((entry) => entry.event === 'bot-exited'))
    assert.equal(launched.session, launcher.lines.find(line('bot', 'session'))!.session)
  })
})
