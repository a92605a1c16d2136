import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { baseUrl, newApiKey } from '#tests/support/fixtures'
import { startServerProcess } from '#tests/support/server_process'
import { createMeter, eventsOf, licenseFor } from '#tests/support/usage'

/**
 * The limit of a meter under real contention: 200 records of amount 1
 * against a limit of 50, sent at once and split across three server
 * processes on one database (the test's own server and two spawned ones).
 * Exactly 50 may be recorded, every time: no over-count, no lost update.
 */
test.group('Usage records racing across three server processes', (group) => {
  let apiKey: string
  let urls: string[] = []

  group.each.timeout(120_000)
  group.setup(async () => {
    apiKey = await newApiKey()
    const spawned = await Promise.all([1, 2].map(() => startServerProcess()))
    urls = [baseUrl(), ...spawned.map((server) => server.url)]
    return async () => {
      await Promise.all(spawned.map((server) => server.stop()))
    }
  })

  const deny = { defaultLimit: 50, overage: 'deny' as const }
  const cases = [
    { label: 'a monthly meter', meter: { ...deny, period: 'month' as const } },
    {
      label: 'a rolling meter',
      meter: { ...deny, period: 'rolling' as const, rollingSeconds: 3600 },
    },
    {
      label: 'a monthly meter, every record with its own idempotency key',
      meter: { ...deny, period: 'month' as const },
      keyed: true,
    },
    {
      label: 'a tolerance of 25 % over a limit of 40 (its ceiling is 50)',
      meter: {
        period: 'day' as const,
        defaultLimit: 40,
        overage: 'tolerance' as const,
        tolerancePercent: 25,
      },
    },
  ]

  for (const { label, meter: settings, keyed } of cases) {
    test(`${label}: exactly 50 of 200 are recorded, 150 refused, three rounds`, async ({
      assert,
    }) => {
      const meter = await createMeter(settings)
      const limit = settings.defaultLimit

      for (let round = 1; round <= 3; round++) {
        const license = await licenseFor(meter)
        const responses = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            fetch(`${urls[index % urls.length]}/api/license/usage`, {
              method: 'POST',
              headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
              body: JSON.stringify({
                license_key: license.key,
                meter: meter.code,
                ...(keyed ? { idempotency_key: `round-${round}-record-${index}` } : {}),
              }),
            })
          )
        )
        const bodies: any[] = await Promise.all(responses.map((response) => response.json()))
        const recorded = bodies.filter((_, index) => responses[index].status === 201)
        const refused = bodies.filter(
          (body, index) =>
            responses[index].status === 409 && body.error.code === 'USAGE_LIMIT_REACHED'
        )
        assert.lengthOf(recorded, 50, `round ${round}`)
        assert.lengthOf(refused, 150, `round ${round}`)
        // Every answer of 1..50 was given once: each record saw its own count.
        assert.deepEqual(
          recorded.map((body) => body.used).sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, index) => index + 1),
          `round ${round}`
        )
        assert.isTrue(
          refused.every((body) => body.error.used === 50 && body.error.limit === limit),
          `round ${round}`
        )
        // Only what lies past the limit is flagged: none under deny, 10 under the tolerance.
        assert.equal(
          recorded.filter((body) => body.over_limit).length,
          50 - limit,
          `round ${round}`
        )

        const events = await eventsOf(license, meter)
        assert.lengthOf(events, 50, `round ${round}`)
        if (settings.period !== 'rolling') {
          const [counter] = await db.from('usage_counters').where({ license_id: license.id })
          assert.equal(Number(counter.used), 50, `round ${round}`)
          assert.equal(Number(counter.overage), 50 - limit, `round ${round}`)
        }
        if (keyed) {
          const keys = await db.from('usage_idempotency_keys').where({ license_id: license.id })
          assert.lengthOf(keys, 200, `round ${round}`)
        }
      }
    })
  }
})
