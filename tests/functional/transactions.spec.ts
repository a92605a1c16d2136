import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense, fingerprint } from '#tests/support/fixtures'
import { unavailableDependencyOf } from '#support/unavailable'

test.group('Transactions', () => {
  test('a connection that dies before COMMIT fails the transaction; nothing is answered as stored', async ({
    assert,
  }) => {
    const license = await createLicense({ maxDevices: 3 })
    const device = fingerprint()
    let failure: unknown = null
    try {
      await db.transaction(async (trx) => {
        await trx.table('devices').insert({ license_id: license.id, fingerprint: device })
        const { rows } = await trx.rawQuery('SELECT pg_backend_pid() AS pid')
        // Another connection of the pool ends this one, as a database restart would.
        await db.rawQuery('SELECT pg_terminate_backend(?)', [rows[0].pid])
        await sleep(100)
      })
    } catch (error) {
      failure = error
    }
    assert.exists(failure, 'the transaction reported success')
    assert.equal(unavailableDependencyOf(failure), 'database', String(failure))
    assert.notExists(await db.from('devices').where('fingerprint', device).first())
  })

  test('a transaction that commits returns its value', async ({ assert }) => {
    const license = await createLicense()
    const result = await db.transaction(async (trx) => {
      await trx.from('licenses').where('id', license.id).update({ notes: 'committed' })
      return 'done'
    })
    assert.equal(result, 'done')
    assert.equal((await db.from('licenses').where('id', license.id).first()).notes, 'committed')
  })
})
