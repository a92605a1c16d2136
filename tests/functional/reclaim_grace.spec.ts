import { test } from '@japa/runner'
import Product from '#models/product'
import { createLicense, fingerprint, newApiKey, unique } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  sessionsOf,
  useFixedClock,
} from '#tests/support/sessions'

/**
 * The reclaim grace: a session of another device that has sent no
 * heartbeat for the product's `reclaim_grace_seconds` stops blocking a
 * start before the session timeout (60 s here) would end it. One session,
 * two devices, so that "another device" meets the session limit.
 */
type SessionClientHttp = ConstructorParameters<typeof SessionClient>[0]

test.group('Reclaim grace of silent sessions', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  async function license(
    client: SessionClientHttp,
    reclaimGraceSeconds: number | null,
    sessionPolicy = 'resumable'
  ) {
    const product = await Product.create({
      name: 'Reclaim',
      slug: unique('reclaim'),
      reclaimGraceSeconds,
    })
    const row = await createLicense({
      productId: product.id,
      type: 'perpetual',
      maxDevices: 2,
      maxSessions: 1,
      sessionPolicy,
    })
    return { row, api: new SessionClient(client, apiKey, row.key) }
  }

  test('a crashed device blocks another only for the reclaim grace; its session ends as timeout', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { row, api } = await license(client, 20)
    const crashed = fingerprint()
    await expectStatus(api.start(crashed), 201)
    clock.advance({ seconds: 19 })
    const early = await api.start(fingerprint())
    early.assertStatus(409)
    assert.equal(early.body().error.code, 'SESSION_LIMIT_REACHED')
    clock.advance({ seconds: 1 })
    await expectStatus(api.start(fingerprint()), 201)
    const { ended } = await sessionsOf(row.id)
    assert.deepEqual(
      ended.map((session) => [session.fingerprint, session.end_reason]),
      [[crashed, 'timeout']]
    )
  })

  test('a heartbeat keeps the session: silence counts from the last beat', async ({ client }) => {
    const clock = useFixedClock()
    const { api } = await license(client, 20)
    const session = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 15 })
    await expectStatus(api.heartbeat(session.session_token), 200)
    clock.advance({ seconds: 15 })
    await expectStatus(api.start(fingerprint()), 409)
    clock.advance({ seconds: 5 })
    await expectStatus(api.start(fingerprint()), 201)
  })

  test('the silent device itself still resumes its own session', async ({ client, assert }) => {
    const clock = useFixedClock()
    const { api } = await license(client, 20)
    const device = fingerprint()
    const first = await bodyOf(api.start(device))
    clock.advance({ seconds: 45 })
    const again = await api.start(device)
    again.assertStatus(200)
    assert.isTrue(again.body().resumed)
    assert.equal(again.body().session_token, first.session_token)
  })

  test('it applies under every policy: single too', async ({ client }) => {
    const clock = useFixedClock()
    const { api } = await license(client, 10, 'single')
    await expectStatus(api.start(fingerprint()), 201)
    clock.advance({ seconds: 10 })
    await expectStatus(api.start(fingerprint()), 201)
  })

  test('without a reclaim grace, the session timeout decides', async ({ client }) => {
    const clock = useFixedClock()
    const { api } = await license(client, null)
    await expectStatus(api.start(fingerprint()), 201)
    clock.advance({ seconds: 59 })
    await expectStatus(api.start(fingerprint()), 409)
    clock.advance({ seconds: 1 })
    await expectStatus(api.start(fingerprint()), 201)
  })
})
