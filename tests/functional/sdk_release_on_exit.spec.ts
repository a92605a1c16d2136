import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { baseUrl, createLicense, newApiKey } from '#tests/support/fixtures'
import { buildSdk, ProgramProcess } from '#tests/support/sdk'
import { sessionOutcomes } from '#tests/support/sessions'

/**
 * `releaseOnExit`: a program that owns its session ends it however it stops,
 * so its customer can log in on another machine at once instead of waiting
 * for the session to time out.
 */
test.group('SDK: release on exit', (group) => {
  let apiKey: string
  const programs: ProgramProcess[] = []

  group.setup(async () => {
    await buildSdk()
    apiKey = await newApiKey()
  })
  group.each.teardown(async () => {
    for (const program of programs.splice(0)) await program.killAll()
  })
  group.each.timeout(30_000)

  async function runOwner(stopBy: 'exit' | 'drain' | 'signal') {
    const license = await createLicense({ type: 'perpetual', sessionPolicy: 'single' })
    const program = new ProgramProcess(app.makePath('tests/fixtures/sdk/release_on_exit.mjs'), {
      STOP_BY: stopBy,
      SDK_OPTIONS: JSON.stringify({
        baseUrl: baseUrl(),
        apiKey,
        licenseKey: license.key,
        fingerprint: 'kw1-release-on-exit-test',
        store: null,
      }),
    })
    programs.push(program)
    await program.waitFor((line) => line.event === 'session')
    return { license, program }
  }

  test('process.exit() still ends the session', async ({ assert }) => {
    const { license, program } = await runOwner('exit')
    assert.equal((await program.exited).code, 0)
    assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['normal'] })
  })

  test('a program whose work runs out ends the session before it exits', async ({ assert }) => {
    const { license, program } = await runOwner('drain')
    assert.equal((await program.exited).code, 0)
    assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['normal'] })
  })

  test('SIGINT and SIGTERM end the session, and the program still dies of the signal', async ({
    assert,
  }) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const { license, program } = await runOwner('signal')
      program.kill(signal)
      assert.deepEqual(await program.exited, { code: null, signal })
      assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['normal'] })
    }
  })

  test('a program killed outright cannot: its session stays live until the timeout', async ({
    assert,
  }) => {
    const { license, program } = await runOwner('signal')
    program.kill('SIGKILL')
    await program.exited
    assert.deepEqual(await sessionOutcomes(license.id), { live: 1, ended: [] })
  })
})
