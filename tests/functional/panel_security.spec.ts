import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import type License from '#models/license'
import { createApiKey, createLicense, createProduct, fingerprint } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { alertsAbout, runDetectors } from '#tests/support/security'

/** An alert about a license, raised the real way: the SDK's report, then a detector run. */
async function alertAbout(client: ApiClient, license: License) {
  const { key } = await createApiKey()
  const response = await client
    .post('/api/license/report')
    .header('X-API-Key', key)
    .json({ license_key: license.key, kind: 'clock_rollback', hardware_fingerprint: fingerprint() })
  response.assertStatus(202)
  await runDetectors()
  const [alert] = await alertsAbout('clock_rollback', `license:${license.id}`)
  return alert
}

test.group('Panel: security alerts', () => {
  test('the list filters by status, rule, product and license; the alert shows its evidence', async ({
    client: http,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const alert = await alertAbout(http, license)
    const { client } = await loggedInPanel('admin')

    const list = await client.get(`/admin/security/alerts?license=${license.key.slice(0, 12)}`)
    assert.equal(list.status, 200)
    assert.include(list.body, `data-alert="${alert.id}"`)
    assert.include(list.body, 'Clock rollback or lease tampering')
    for (const filter of [
      'rule=sharing',
      'status=resolved',
      `product_id=${(await createProduct()).id}`,
    ]) {
      const other = await client.get(`/admin/security/alerts?license=${license.key}&${filter}`)
      assert.notInclude(other.body, `data-alert="${alert.id}"`, filter)
    }
    const byProduct = await client.get(`/admin/security/alerts?product_id=${license.productId}`)
    assert.include(byProduct.body, `data-alert="${alert.id}"`)
    // A malformed filter is ignored, not an error.
    assert.equal((await client.get('/admin/security/alerts?status=bogus&product_id=x')).status, 200)

    const page = await client.get(`/admin/security/alerts/${alert.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, license.key)
    assert.include(page.body, 'Evidence (1)')
    assert.include(page.body, 'Clock rollback (SDK)')
    assert.equal((await client.get('/admin/security/alerts/999999999')).status, 404)

    const german = await loggedInPanel('admin')
    await german.client.post('/admin/account/locale', { locale: 'de' })
    const de = await german.client.get(`/admin/security/alerts/${alert.id}`)
    assert.include(de.body, 'Belege (1)')
    assert.include(de.body, 'Lizenz aussetzen')
  })

  test('acknowledge, resolve, suspend from the alert and undo: each audited', async ({
    client: http,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const alert = await alertAbout(http, license)
    const { client, admin } = await loggedInPanel('admin')
    await client.get(`/admin/security/alerts/${alert.id}`)
    const from = await lastAuditId()

    const acknowledged = await client.post(`/admin/security/alerts/${alert.id}/acknowledge`)
    assert.equal(acknowledged.location, `/admin/security/alerts/${alert.id}`)
    const suspended = await client.post(`/admin/security/alerts/${alert.id}/actions`, {
      action: 'suspend_license',
    })
    assert.equal(suspended.status, 302)
    await license.refresh()
    assert.equal(license.status, 'suspended')
    const [action] = await db.from('security_alert_actions').where('alert_id', alert.id)
    assert.include(action, { action: 'suspend_license', automatic: false, created_by: admin.email })
    assert.include(action.details, { previous_status: 'active', changed: true })

    await client.get(`/admin/security/alerts/${alert.id}`)
    await client.post(`/admin/security/alerts/${alert.id}/actions/${action.id}/reverse`)
    await license.refresh()
    assert.equal(license.status, 'active')
    // Undoing twice is refused, and the license stays as it is.
    await client.get(`/admin/security/alerts/${alert.id}`)
    const twice = await client.post(
      `/admin/security/alerts/${alert.id}/actions/${action.id}/reverse`
    )
    assert.equal(twice.status, 302)
    const shown = await client.get(`/admin/security/alerts/${alert.id}`)
    assert.include(shown.body, 'This action was already undone.')

    await client.post(`/admin/security/alerts/${alert.id}/resolve`)
    const [resolved] = await alertsAbout('clock_rollback', `license:${license.id}`)
    assert.include(resolved, {
      status: 'resolved',
      resolved_by: admin.email,
      acknowledged_by: admin.email,
    })

    const audit = await auditRowsAfter(from)
    assert.deepEqual(
      audit.map((row) => row.action),
      [
        'security_alert.acknowledged',
        'license.status_changed',
        'security_alert.action_taken',
        'license.status_changed',
        'security_alert.action_reversed',
        'security_alert.resolved',
      ]
    )
    assert.isTrue(audit.every((row) => row.actorLabel === admin.email))
  })

  test('blocking the address of an alert; ending sessions is for owners; bad actions are 422', async ({
    client: http,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual', maxSessions: 2, maxDevices: 2 })
    const { key } = await createApiKey()
    ;(
      await http
        .post('/api/license/session/start')
        .header('X-API-Key', key)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    ).assertStatus(201)
    const alert = await alertAbout(http, license)
    // A report from 127.0.0.1 only: the alert names that address.
    assert.equal(alert.ip, '127.0.0.1')

    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/security/alerts/${alert.id}`)
    const invalid = await client.post(`/admin/security/alerts/${alert.id}/actions`, {
      action: 'format_disk',
    })
    assert.equal(invalid.status, 302)
    assert.lengthOf(await db.from('security_alert_actions').where('alert_id', alert.id), 0)

    // The admin's own address is never blocked (the panel would lock them out).
    await client.post(`/admin/security/alerts/${alert.id}/actions`, { action: 'block_ip' })
    assert.lengthOf(await db.from('blocked_ips').whereRaw(`network = '127.0.0.1/32'`), 0)

    await client.get(`/admin/security/alerts/${alert.id}`)
    await client.post(`/admin/security/alerts/${alert.id}/actions`, { action: 'end_sessions' })
    assert.lengthOf(await db.from('license_sessions').where('license_id', license.id), 1)

    const { client: owner } = await loggedInPanel('owner')
    await owner.get(`/admin/security/alerts/${alert.id}`)
    await owner.post(`/admin/security/alerts/${alert.id}/actions`, { action: 'end_sessions' })
    assert.lengthOf(await db.from('license_sessions').where('license_id', license.id), 0)
    const [ended] = await db.from('session_history').where('license_id', license.id)
    assert.equal(ended.end_reason, 'forced')
  })

  test('the dashboard counts unresolved alerts', async ({ client: http, assert }) => {
    const license = await createLicense({ type: 'perpetual' })
    await alertAbout(http, license)
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin')
    const open = page.body.match(/data-alerts-open>(\d+)</)
    assert.isNotNull(open)
    assert.isAbove(Number(open![1]), 0)
  })
})

test.group('Panel: security events', () => {
  test('the list shows refused requests, filtered by kind, license and address', async ({
    client: http,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual', maxDevices: 1 })
    const { key } = await createApiKey()
    const activate = () =>
      http
        .post('/api/license/activate')
        .header('X-API-Key', key)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    ;(await activate()).assertStatus(201)
    ;(await activate()).assertStatus(409)
    await runDetectors() // writes this process' buffer first

    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/security/events?license=${license.key}`)
    assert.equal(page.status, 200)
    assert.include(page.body, 'data-event="device_limit_reached"')
    assert.include(page.body, license.key)
    const otherKind = await client.get(
      `/admin/security/events?license=${license.key}&kind=rate_limited`
    )
    assert.notInclude(otherKind.body, 'data-event="device_limit_reached"')
    const otherIp = await client.get(`/admin/security/events?license=${license.key}&ip=10.`)
    assert.notInclude(otherIp.body, 'data-event="device_limit_reached"')
    assert.equal((await client.get('/admin/security/events?ip=<script>')).status, 200)
  })
})

test.group('Panel: a product’s security rules', () => {
  test('an override is saved, audited and applied by the detectors; clearing it restores the install', async ({
    client: http,
    assert,
  }) => {
    const product = await createProduct()
    const { client, admin } = await loggedInPanel('admin')
    const form = await client.get(`/admin/products/${product.id}/security`)
    assert.equal(form.status, 200)
    assert.include(form.body, 'data-rule="sharing"')
    const from = await lastAuditId()
    await client.post(`/admin/products/${product.id}/security`, {
      'rule': 'sharing',
      'enabled': 'on',
      'threshold': 1,
      'window_minutes': 30,
      'actions_mode': 'custom',
      'actions[]': ['suspend_license'],
    })
    const [row] = await db.from('security_rule_overrides').where('product_id', product.id)
    assert.include(row, { rule: 'sharing', enabled: true, threshold: 1, window_minutes: 30 })
    assert.deepEqual(row.actions, ['suspend_license'])
    const [audit] = await auditRowsAfter(from)
    assert.deepEqual(
      [audit.action, audit.actorLabel],
      ['product.security_rule_changed', admin.email]
    )
    assert.include(audit.after, { rule: 'sharing', threshold: 1, windowMinutes: 30 })

    // Two devices are sharing for this product: the alert opens and suspends the license.
    const license = await createLicense({
      productId: product.id,
      type: 'perpetual',
      maxDevices: 5,
      sessionPolicy: 'single',
    })
    const { key } = await createApiKey()
    for (let device = 0; device < 2; device++) {
      const started = await http
        .post('/api/license/session/start')
        .header('X-API-Key', key)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
      started.assertStatus(201)
      await http
        .post('/api/license/session/end')
        .header('X-API-Key', key)
        .json({ session_token: started.body().session_token })
    }
    await runDetectors()
    const [alert] = await alertsAbout('sharing', `license:${license.id}`)
    assert.equal(alert.status, 'open')
    await license.refresh()
    assert.equal(license.status, 'suspended')
    const [action] = await db.from('security_alert_actions').where('alert_id', alert.id)
    assert.include(action, { action: 'suspend_license', automatic: true })

    await client.get(`/admin/products/${product.id}/security`)
    await client.post(`/admin/products/${product.id}/security`, {
      rule: 'sharing',
      enabled: 'inherit',
      threshold: '',
      window_minutes: '',
      actions_mode: 'inherit',
    })
    assert.lengthOf(await db.from('security_rule_overrides').where('product_id', product.id), 0)

    // Out of range: refused beside the form, nothing saved.
    await client.get(`/admin/products/${product.id}/security`)
    const refused = await client.post(`/admin/products/${product.id}/security`, {
      rule: 'sharing',
      enabled: 'on',
      threshold: 0,
      actions_mode: 'inherit',
    })
    assert.equal(refused.status, 302)
    assert.lengthOf(await db.from('security_rule_overrides').where('product_id', product.id), 0)
  })
})
