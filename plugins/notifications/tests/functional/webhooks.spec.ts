import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import { JobScheduler, LeaseKeyring } from '#plugin_host/api'
import { createLicense } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { webhookJobId } from '../../services/dispatcher.js'
import { MAX_ATTEMPTS } from '../../services/retry_schedule.js'
import { WebhookDelivery } from '../../services/webhook_delivery.js'
import {
  createEndpoint,
  deliveriesOf,
  startReceiver,
  useSettings,
  type ReceivedRequest,
} from '../support.js'

const alert = (alertId: number) =>
  emitter.emit('security:alert_opened', {
    alertId,
    rule: 'sharing',
    severity: 'high',
    summary: 'One license used from 6 devices in 10 minutes',
    license: null,
    ip: '203.0.113.7',
  })

const attempt = async (deliveryId: number) =>
  (await app.container.make(WebhookDelivery)).attempt(deliveryId)

/** Moves the clock to a delivery's next attempt, as the BullMQ delay would. */
async function untilDue(clock: { set(to: DateTime): void }, deliveryId: number) {
  const row = await db.from('notifications_deliveries').where('id', deliveryId).first()
  clock.set(DateTime.fromJSDate(row.next_attempt_at, { zone: 'utc' }))
  return row
}

const safeEqual = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** What a receiver does (docs/…: "Verifying a delivery"): HMAC with the secret. */
function hmacVerifies(request: ReceivedRequest, secret: string) {
  const timestamp = String(request.headers['keyward-timestamp'])
  const expected = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')
  return safeEqual(String(request.headers['keyward-signature']), `v1=${expected}`)
}

/** …or Ed25519 with the public key of GET /api/keys/public named by Keyward-Key-Id. */
async function ed25519Verifies(request: ReceivedRequest) {
  const keys = await (await app.container.make(LeaseKeyring)).publishedKeys()
  const key = keys.find((candidate) => candidate.kid === request.headers['keyward-key-id'])
  if (!key) return false
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.x },
    format: 'jwk',
  })
  const message = Buffer.from(`${request.headers['keyward-timestamp']}.${request.body}`)
  const signature = Buffer.from(String(request.headers['keyward-signature-ed25519']), 'base64url')
  return verify(null, message, publicKey, signature)
}

test.group('notifications: webhooks against a real receiver', (group) => {
  group.each.setup(() => async () => {
    restoreClock()
    await db.from('notifications_webhook_endpoints').delete()
  })

  test('an endpoint made in the panel gets signed deliveries (HMAC and Ed25519)', async ({
    assert,
  }) => {
    const receiver = await startReceiver([200])
    try {
      const { client } = await loggedInPanel('owner')
      await client.get('/admin/notifications/webhooks/new')
      const created = await client.post('/admin/notifications/webhooks', {
        'url': receiver.url(),
        'description': 'CRM',
        'events[]': ['security.alert_opened', 'license.created'],
      })
      assert.equal(created.status, 200)
      const secret = /data-testid="webhook-secret">(whsec_[\w-]+)</.exec(created.body)![1]
      const endpoint = await db
        .from('notifications_webhook_endpoints')
        .orderBy('id', 'desc')
        .first()
      assert.notInclude(endpoint.secret_sealed, secret)
      assert.deepEqual(endpoint.events, ['security.alert_opened', 'license.created'])

      await alert(41)
      const [delivery] = await deliveriesOf(endpoint.id)
      assert.include(delivery, { status: 'pending', attempts: 0 })
      // Queued for a worker, due now.
      const scheduler = JobScheduler.fromConfig(app)
      const job = await scheduler.queue.getJob(
        webhookJobId(Number(delivery.id), delivery.next_attempt_at.getTime())
      )
      await scheduler.close()
      assert.deepEqual(job?.data, { deliveryId: Number(delivery.id) })

      const outcome = await attempt(Number(delivery.id))
      assert.include(outcome, { outcome: 'succeeded', attempt: 1, status: 200 })
      assert.lengthOf(receiver.received, 1)
      const [request] = receiver.received
      const payload = JSON.parse(request.body)
      assert.deepEqual(Object.keys(payload), ['id', 'type', 'created_at', 'data'])
      assert.equal(payload.id, delivery.event_id)
      assert.equal(payload.type, 'security.alert_opened')
      assert.include(payload.data, { alert_id: 41, rule: 'sharing', severity: 'high' })
      assert.equal(request.headers['keyward-event-id'], payload.id)
      assert.equal(request.headers['content-type'], 'application/json')
      assert.isTrue(hmacVerifies(request, secret))
      assert.isTrue(await ed25519Verifies(request))
      // A changed body, or another secret, does not verify.
      assert.isFalse(hmacVerifies({ ...request, body: request.body.replace('41', '42') }, secret))
      assert.isFalse(hmacVerifies(request, `${secret}x`))
      assert.isFalse(await ed25519Verifies({ ...request, body: request.body.replace('41', '42') }))

      const [logged] = await deliveriesOf(endpoint.id)
      assert.include(logged, { status: 'succeeded', attempts: 1, response_status: 200 })
      assert.isNumber(logged.duration_ms)
      assert.isNull(logged.next_attempt_at)
      const page = await client.get(`/admin/notifications/webhooks/${endpoint.id}`)
      assert.include(page.body, `data-delivery="${delivery.id}" data-status="succeeded"`)
      assert.include(page.body, '<span class="badge badge-success">Enabled</span>')

      // A new secret replaces the old one: shown once, audited, and what signs from now on.
      await client.get(`/admin/notifications/webhooks/${endpoint.id}`)
      const rotated = await client.post(`/admin/notifications/webhooks/${endpoint.id}/secret`)
      assert.equal(rotated.headers.get('cache-control'), 'no-store')
      const newSecret = /data-testid="webhook-secret">(whsec_[\w-]+)</.exec(rotated.body)![1]
      assert.notEqual(newSecret, secret)
      await alert(43)
      const [, next] = await deliveriesOf(endpoint.id)
      await attempt(Number(next.id))
      assert.isTrue(hmacVerifies(receiver.received[1], newSecret))
      assert.isFalse(hmacVerifies(receiver.received[1], secret))
      const rotation = await db
        .from('audit_logs')
        .where('action', 'notifications.webhook_secret_rotated')
        .where('subject_id', String(endpoint.id))
        .first()
      assert.exists(rotation)
      assert.notInclude(JSON.stringify(rotation), newSecret)

      // A second attempt of a delivered event sends nothing.
      assert.deepEqual(await attempt(Number(delivery.id)), {
        outcome: 'skipped',
        reason: 'not_pending',
      })
      assert.lengthOf(receiver.received, 2)
    } finally {
      await receiver.close()
    }
  })

  test('500s and timeouts are retried on the backoff schedule, by the clock', async ({
    assert,
  }) => {
    const receiver = await startReceiver([500, 'hang', 204])
    const restore = await useSettings({ timeoutMs: 300 })
    try {
      const clock = useFixedClock(DateTime.utc().startOf('second'))
      const start = clock.now()
      const { id: endpointId } = await createEndpoint(receiver.url(), ['security.alert_opened'])
      await alert(7)
      const [delivery] = await deliveriesOf(endpointId)
      const id = Number(delivery.id)

      const first = await attempt(id)
      assert.include(first, { outcome: 'retrying', attempt: 1, status: 500 })
      const firstDelay =
        first.outcome === 'retrying' ? first.nextAttemptAt!.getTime() - start.toMillis() : 0
      assert.isAtLeast(firstDelay, 48_000)
      assert.isAtMost(firstDelay, 72_000)
      // The retry's job carries the delay; before it is due, an attempt does nothing.
      const scheduler = JobScheduler.fromConfig(app)
      const retryJob = await scheduler.queue.getJob(webhookJobId(id, start.toMillis() + firstDelay))
      await scheduler.close()
      assert.equal(retryJob?.opts.delay, firstDelay)
      clock.advance({ seconds: 30 })
      assert.deepEqual(await attempt(id), { outcome: 'skipped', reason: 'not_due' })
      assert.lengthOf(receiver.received, 1)

      await untilDue(clock, id)
      const second = await attempt(id)
      assert.include(second, { outcome: 'retrying', attempt: 2, status: null })
      const afterTimeout = await db.from('notifications_deliveries').where('id', id).first()
      assert.match(afterTimeout.error, /no answer within 300 ms/)
      const secondDelay = afterTimeout.next_attempt_at.getTime() - clock.now().toMillis()
      assert.isAtLeast(secondDelay, 96_000)
      assert.isAtMost(secondDelay, 144_000)

      await untilDue(clock, id)
      assert.include(await attempt(id), { outcome: 'succeeded', attempt: 3, status: 204 })
      // Three attempts of one event: one id, one body, each signed at its own time.
      assert.lengthOf(receiver.received, 3)
      assert.lengthOf(new Set(receiver.received.map((r) => r.headers['keyward-event-id'])), 1)
      assert.lengthOf(new Set(receiver.received.map((r) => r.body)), 1)
      assert.lengthOf(new Set(receiver.received.map((r) => r.headers['keyward-timestamp'])), 3)
      const endpoint = await db
        .from('notifications_webhook_endpoints')
        .where('id', endpointId)
        .first()
      assert.isNull(endpoint.failing_since)
    } finally {
      restore()
      await receiver.close()
    }
  })

  test('each event has its own id, the same for every endpoint and every redelivery', async ({
    assert,
  }) => {
    const first = await startReceiver([200])
    const second = await startReceiver([200])
    try {
      const a = await createEndpoint(first.url(), ['security.alert_opened'])
      const b = await createEndpoint(second.url(), ['security.alert_opened', 'license.revoked'])
      await alert(1)
      await alert(2)
      for (const row of [...(await deliveriesOf(a.id)), ...(await deliveriesOf(b.id))]) {
        await attempt(Number(row.id))
      }
      const ids = (requests: ReceivedRequest[]) =>
        requests.map((request) => JSON.parse(request.body).id)
      assert.lengthOf(new Set(ids(first.received)), 2)
      assert.deepEqual(ids(first.received), ids(second.received))

      // Redelivered from the panel: the same event id again, and audited.
      const { client } = await loggedInPanel('owner')
      const [delivered] = await deliveriesOf(a.id)
      await client.get(`/admin/notifications/webhooks/${a.id}`)
      const since = await lastAuditId()
      const redeliver = await client.post(
        `/admin/notifications/webhooks/${a.id}/deliveries/${delivered.id}/redeliver`
      )
      assert.equal(redeliver.location, `/admin/notifications/webhooks/${a.id}`)
      assert.include(await db.from('notifications_deliveries').where('id', delivered.id).first(), {
        status: 'pending',
        attempts: 0,
      })
      // Pending again (scheduled): a second redelivery is refused, nothing changes.
      await client.get(`/admin/notifications/webhooks/${a.id}`)
      await client.post(
        `/admin/notifications/webhooks/${a.id}/deliveries/${delivered.id}/redeliver`
      )
      const refusedPage = await client.get(`/admin/notifications/webhooks/${a.id}`)
      assert.include(refusedPage.body, 'That delivery is still scheduled')
      await attempt(Number(delivered.id))
      assert.lengthOf(first.received, 3)
      assert.equal(ids(first.received)[2], delivered.event_id)
      const [audit] = await auditRowsAfter(since)
      assert.equal(audit.action, 'notifications.webhook_redelivered')
      assert.include(audit.after, {
        delivery_id: Number(delivered.id),
        event_id: delivered.event_id,
      })

      // An admin who is not the owner cannot reach the endpoints.
      const { client: admin } = await loggedInPanel('admin')
      const refused = await admin.get('/admin/notifications/webhooks')
      assert.notEqual(refused.status, 200)
    } finally {
      await first.close()
      await second.close()
    }
  })

  test('an endpoint failing for a day is switched off, with a notice in the panel', async ({
    assert,
  }) => {
    const receiver = await startReceiver([503])
    try {
      const clock = useFixedClock(DateTime.utc().startOf('second'))
      const { id: endpointId } = await createEndpoint(receiver.url(), [
        'security.alert_opened',
        'license.suspended',
      ])
      await alert(3)
      const [delivery] = await deliveriesOf(endpointId)
      const id = Number(delivery.id)
      const firstFailure = clock.now()
      let outcome = await attempt(id)
      let attempts = 1
      while (outcome.outcome === 'retrying') {
        const endpoint = await db
          .from('notifications_webhook_endpoints')
          .where('id', endpointId)
          .first()
        assert.isTrue(endpoint.enabled, `still enabled before attempt ${attempts + 1}`)
        // A second event arrives while the first is retried: it waits behind it.
        if (attempts === 5) await alert(4)
        await untilDue(clock, id)
        outcome = await attempt(id)
        attempts++
      }
      assert.isAtMost(attempts, MAX_ATTEMPTS)
      assert.include(outcome, { outcome: 'failed', endpointDisabled: true })
      assert.isAtLeast(clock.now().diff(firstFailure).as('hours'), 24)
      const endpoint = await db
        .from('notifications_webhook_endpoints')
        .where('id', endpointId)
        .first()
      assert.include(endpoint, { enabled: false, disabled_reason: 'failing' })
      assert.equal(endpoint.failing_since.getTime(), firstFailure.toMillis())
      const rows = await deliveriesOf(endpointId)
      assert.deepEqual(
        rows.map((row) => row.status),
        ['failed', 'failed']
      )
      assert.equal(rows[1].error, 'endpoint disabled')
      assert.lengthOf(receiver.received, attempts + (await attemptsOf(rows[1].id)))

      // New events no longer go to it; the panel says why, and it can be switched on again.
      await alert(5)
      assert.lengthOf(await deliveriesOf(endpointId), 2)
      const { client } = await loggedInPanel('owner')
      const list = await client.get('/admin/notifications/webhooks')
      assert.include(list.body, `data-endpoint-disabled="${endpointId}"`)
      assert.include(list.body, '<span class="badge badge-danger">Disabled after failures</span>')
      const dashboard = await client.get('/admin')
      assert.include(dashboard.body, 'data-card="notifications"')
      await client.get(`/admin/notifications/webhooks/${endpointId}`)
      await client.post(`/admin/notifications/webhooks/${endpointId}/enable`)
      const enabled = await db
        .from('notifications_webhook_endpoints')
        .where('id', endpointId)
        .first()
      assert.include(enabled, { enabled: true, failing_since: null, disabled_reason: null })
    } finally {
      await receiver.close()
    }
  })

  test('the SSRF guard refuses private addresses; redirects are not followed', async ({
    assert,
  }) => {
    const target = await startReceiver([200])
    const redirecting = await startReceiver([{ status: 302, headers: { location: target.url() } }])
    const restore = await useSettings({ allowPrivateAddresses: false })
    try {
      // localhost resolves to a loopback address: refused before any connection.
      const guarded = await createEndpoint(`http://localhost:${target.port}/hook`, [
        'security.alert_opened',
      ])
      await alert(9)
      const [refused] = await deliveriesOf(guarded.id)
      assert.include(await attempt(Number(refused.id)), { outcome: 'retrying', status: null })
      const row = await db.from('notifications_deliveries').where('id', refused.id).first()
      assert.match(row.error, /resolves to (127\.0\.0\.1|::1), a private address: refused/)
      assert.lengthOf(target.received, 0)
      restore()
      await db.from('notifications_webhook_endpoints').delete()

      // Private addresses allowed (development): a 302 is a failure, and not followed.
      const { id } = await createEndpoint(redirecting.url(), ['security.alert_opened'])
      await alert(10)
      const [delivery] = await deliveriesOf(id)
      assert.include(await attempt(Number(delivery.id)), { outcome: 'retrying', status: 302 })
      assert.lengthOf(redirecting.received, 1)
      assert.lengthOf(target.received, 0)
    } finally {
      restore()
      await target.close()
      await redirecting.close()
    }
  })

  test('a long answer is cut at the size cap; two workers never send one attempt twice', async ({
    assert,
  }) => {
    // An answer that never ends: only the cap (1 KiB here) ends the attempt before the timeout.
    const endless = await startReceiver([{ endlessBody: 4096 }])
    const restore = await useSettings({ maxResponseBytes: 1024, timeoutMs: 5000 })
    try {
      const { id } = await createEndpoint(endless.url(), ['security.alert_opened'])
      await alert(11)
      await alert(12)
      const [first, second] = await deliveriesOf(id)
      const outcome = await attempt(Number(first.id))
      assert.include(outcome, { outcome: 'succeeded', status: 200 })
      const row = await db.from('notifications_deliveries').where('id', first.id).first()
      assert.isBelow(row.duration_ms, 5000)

      // Two workers run the same delivery at once: one claims it, the other skips it.
      const outcomes = await Promise.all([attempt(Number(second.id)), attempt(Number(second.id))])
      assert.sameMembers(
        outcomes.map((result) => result.outcome),
        ['succeeded', 'skipped']
      )
      assert.lengthOf(endless.received, 2)
    } finally {
      restore()
      await endless.close()
    }
  })

  test('addresses: HTTPS, or HTTP to this machine outside production only', async ({ assert }) => {
    const { client } = await loggedInPanel('owner')
    await client.get('/admin/notifications/webhooks/new')
    const plain = await client.post('/admin/notifications/webhooks', {
      'url': 'http://example.com/hook',
      'events[]': ['license.created'],
    })
    assert.match(plain.location!, /\/admin\/notifications\/webhooks\/new$/)
    const form = await client.get('/admin/notifications/webhooks/new')
    assert.include(form.body, 'Use an https:// address')
    const noEvents = await client.post('/admin/notifications/webhooks', {
      url: 'https://example.com/hook',
    })
    assert.equal(noEvents.status, 302)
    const unknown = await client.post('/admin/notifications/webhooks', {
      'url': 'https://example.com/hook',
      'events[]': ['license.nonsense'],
    })
    assert.equal(unknown.status, 302)
    assert.lengthOf(await db.from('notifications_webhook_endpoints'), 0)

    const restore = await useSettings({ allowLoopbackHttp: false })
    try {
      await client.get('/admin/notifications/webhooks/new')
      const loopback = await client.post('/admin/notifications/webhooks', {
        'url': 'http://127.0.0.1:9/hook',
        'events[]': ['license.created'],
      })
      assert.match(loopback.location!, /\/admin\/notifications\/webhooks\/new$/)
      const again = await client.get('/admin/notifications/webhooks/new')
      assert.include(again.body, 'Use an https:// address')
      assert.lengthOf(await db.from('notifications_webhook_endpoints'), 0)
    } finally {
      restore()
    }
    const since = await lastAuditId()
    const https = await client.post('/admin/notifications/webhooks', {
      'url': 'https://hooks.example.com/keyward',
      'events[]': ['license.created'],
    })
    assert.equal(https.status, 200)
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'notifications.webhook_created')
    assert.notInclude(JSON.stringify(audit.after), 'whsec_')
  })

  test('a test send reaches only that endpoint; status changes are announced', async ({
    assert,
  }) => {
    const receiver = await startReceiver([200])
    const other = await startReceiver([200])
    try {
      const { id } = await createEndpoint(receiver.url(), ['license.suspended'])
      await createEndpoint(other.url(), ['license.suspended'])
      const { client } = await loggedInPanel('owner')
      await client.get(`/admin/notifications/webhooks/${id}`)
      await client.post(`/admin/notifications/webhooks/${id}/test`)
      const [ping] = await deliveriesOf(id)
      await attempt(Number(ping.id))
      assert.equal(JSON.parse(receiver.received[0].body).type, 'ping')

      // A license suspended in the panel becomes license.suspended (emitted after commit).
      const license = await createLicense()
      await client.get('/admin/licenses')
      await client.post(`/admin/licenses/${license.id}/quick`, {
        status: 'suspended',
        max_devices: 1,
        max_sessions: 1,
      })
      const deliveries = await waitForDeliveries(id, 2)
      await attempt(Number(deliveries[1].id))
      const payload = JSON.parse(receiver.received[1].body)
      assert.equal(payload.type, 'license.suspended')
      assert.include(payload.data, { status: 'suspended', count: 1 })
      assert.deepEqual(payload.data.licenses, [
        { id: license.id, key: license.key, product_id: license.productId, customer_id: null },
      ])
      assert.equal(payload.data.actor.kind, 'admin')
      assert.lengthOf(other.received, 0)
    } finally {
      await receiver.close()
      await other.close()
    }
  })
})

async function attemptsOf(deliveryId: number) {
  const row = await db.from('notifications_deliveries').where('id', deliveryId).first()
  return row.attempts as number
}

async function waitForDeliveries(endpointId: number, count: number) {
  const deadline = Date.now() + 5000
  for (;;) {
    const rows = await deliveriesOf(endpointId)
    if (rows.length >= count || Date.now() > deadline) return rows
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
