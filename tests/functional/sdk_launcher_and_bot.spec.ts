import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import SessionService from '#services/session_service'
import { createAdmin } from '#tests/support/panel'
import { baseUrl, createLicense, newApiKey } from '#tests/support/fixtures'
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
    app.config.set('sessions.heartbeatInterval', 1)
    app.config.set('sessions.timeout', 3)
    return () => {
      app.config.set('sessions.heartbeatInterval', 30)
      app.config.set('sessions.timeout', 60)
    }
  })
  group.each.setup(async () => {
    configHome = await mkdtemp(join(tmpdir(), 'keyward-sdk-'))
    return async () => {
      for (const program of programs.splice(0)) {
        program.kill('SIGKILL')
        await program.exited
      }
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
    assert.lengthOf(await liveSessions(license.id), 0)
    const history = await db
      .from('session_history')
      .where('license_id', license.id)
      .select('end_reason')
    assert.deepEqual(
      history.map((row) => row.end_reason),
      ['normal']
    )

    const elsewhere = start('bot', license.key, { KEYWARD_FINGERPRINT: 'kw1-another-machine-0002' })
    const joined = await elsewhere.waitFor(line('bot', 'session'))
    assert.isFalse(joined.resumed)
  })
})
