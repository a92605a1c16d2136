import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AuditTrail from '#services/audit_trail'
import { cliActor } from '#support/actor'
import { createLicense, fingerprint } from '#tests/support/fixtures'

/**
 * The rules the database itself enforces, whatever code writes to it.
 */
test.group('Database rules', () => {
  test('active devices never exceed max_devices, even when code skips the check', async ({
    assert,
  }) => {
    const license = await createLicense({ maxDevices: 2 })
    const row = () => ({ license_id: license.id, fingerprint: fingerprint() })
    await db.table('devices').insert(row())
    await db.table('devices').insert(row())
    await assert.rejects(() => db.table('devices').insert(row()), /device limit reached/)

    const inactive = { ...row(), active: false, deactivated_at: new Date() }
    await db.table('devices').insert(inactive)
    await assert.rejects(
      () =>
        db
          .from('devices')
          .where('fingerprint', inactive.fingerprint)
          .update({ active: true, deactivated_at: null }),
      /device limit reached/
    )
  })

  test('racing raw inserts on separate connections still respect the limit', async ({ assert }) => {
    const license = await createLicense({ maxDevices: 3 })
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        db.transaction((trx) =>
          trx.table('devices').insert({ license_id: license.id, fingerprint: fingerprint() })
        )
      )
    )
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 3)
    const active = await db.from('devices').where({ license_id: license.id, active: true })
    assert.lengthOf(active, 3)
  })

  test('one active row per license and fingerprint', async ({ assert }) => {
    const license = await createLicense({ maxDevices: 3 })
    const device = fingerprint()
    await db.table('devices').insert({ license_id: license.id, fingerprint: device })
    await assert.rejects(
      () => db.table('devices').insert({ license_id: license.id, fingerprint: device }),
      /devices_one_active_per_fingerprint/
    )
  })

  test('limits, status and expiry are checked', async ({ assert }) => {
    const license = await createLicense({ maxDevices: 2, maxSessions: 1 })
    const update = (values: Record<string, unknown>) =>
      db.from('licenses').where('id', license.id).update(values)

    await assert.rejects(() => update({ max_sessions: 3 }), /licenses_max_sessions/)
    await assert.rejects(() => update({ max_devices: 11, max_sessions: 1 }), /licenses_max_devices/)
    await assert.rejects(() => update({ max_devices: 0 }), /licenses_max/)
    await assert.rejects(() => update({ status: 'expired' }), /licenses_status/)
    await assert.rejects(() => update({ type: 'forever' }), /licenses_type_format/)
    await assert.rejects(() => update({ key: 'lower-case' }), /licenses_key_normalized/)
    await assert.rejects(
      () => update({ activated_at: new Date(), expires_at: null }),
      /licenses_expiry_consistent/
    )
    await assert.rejects(
      () => update({ features: JSON.stringify(['not', 'an', 'object']) }),
      /licenses_features_object/
    )
    await update({ max_devices: 10, max_sessions: 10 })
  })

  test('the audit log refuses UPDATE, DELETE and TRUNCATE', async ({ assert }) => {
    await db.transaction((trx) =>
      new AuditTrail().record(trx, cliActor('tests'), { action: 'test.append_only' })
    )
    const row = await db.from('audit_logs').where('action', 'test.append_only').firstOrFail()

    await assert.rejects(
      () => db.from('audit_logs').where('id', row.id).update({ action: 'changed' }),
      /append-only/
    )
    await assert.rejects(() => db.from('audit_logs').where('id', row.id).delete(), /append-only/)
    await assert.rejects(() => db.rawQuery('TRUNCATE audit_logs'), /append-only/)
    const still = await db.from('audit_logs').where('id', row.id).firstOrFail()
    assert.equal(still.action, 'test.append_only')
  })

  test('an audit row is written with its change or not at all', async ({ assert }) => {
    const license = await createLicense()
    const action = `test.rollback.${license.id}`
    await assert.rejects(() =>
      db.transaction(async (trx) => {
        await trx.from('licenses').where('id', license.id).update({ status: 'suspended' })
        await new AuditTrail().record(trx, cliActor('tests'), { action, subjectId: license.id })
        throw new Error('boom')
      })
    )
    assert.lengthOf(await db.from('audit_logs').where('action', action), 0)
    const reloaded = await db.from('licenses').where('id', license.id).firstOrFail()
    assert.equal(reloaded.status, 'active')
    assert.isTrue(DateTime.fromJSDate(reloaded.created_at).isValid)
  })
})
