import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import type { EventsList } from '@adonisjs/core/types'
import lock from '@adonisjs/lock/services/main'
import db from '@adonisjs/lucid/services/db'
import { BACKUP_LOCK, BackupService } from '#services/backups/backup_service'
import { BackupSettings } from '#services/backups/backup_settings'
import LicenseGenerator from '#services/license_generator'
import LicenseService from '#services/license_service'
import { cliActor } from '#support/actor'
import { createLicense, createProduct } from '#tests/support/fixtures'

/** Collects what the emitter announces of one event until the test ends. */
function collect<Name extends keyof EventsList>(event: Name, cleanup: (fn: () => void) => void) {
  const heard: EventsList[Name][] = []
  const listener = (payload: EventsList[Name]) => {
    heard.push(payload)
  }
  emitter.on(event, listener)
  cleanup(() => emitter.off(event, listener))
  return heard
}

/** The listeners of an unawaited emit run on a later tick: wait for them, never for a fixed time. */
async function settle<T>(items: T[], count: number) {
  const deadline = Date.now() + 5000
  while (items.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return items
}

test.group('Domain events the core announces (types/events.ts)', () => {
  test('a batch is announced after its transaction commits, never when it rolls back', async ({
    assert,
    cleanup,
  }) => {
    const heard = collect('license:created', cleanup)
    const product = await createProduct()
    const generator = await app.container.make(LicenseGenerator)
    const request = { productId: product.id, type: 'perpetual', count: 2 }

    await db
      .transaction(async (trx) => {
        await generator.generate(request, cliActor('tests'), undefined, trx)
        throw new Error('changed my mind')
      })
      .catch(() => {})
    const { keys, batchId } = await generator.generate(request, cliActor('tests'))
    await settle(heard, 1)
    // Give a wrongly announced rollback the same chance to arrive.
    await new Promise((resolve) => setImmediate(resolve))
    assert.lengthOf(heard, 1)
    assert.equal(heard[0].batchId, batchId)
    assert.deepEqual(
      heard[0].licenses.map((license) => license.key),
      keys
    )
    const rows = await db.from('licenses').whereIn('key', keys).orderBy('id')
    assert.deepEqual(
      heard[0].licenses.map((license) => license.id),
      rows.map((row) => Number(row.id))
    )
    assert.deepEqual(heard[0].actor, { kind: 'system', id: null, email: null })
  })

  test('a status change is announced once, with the license and who changed it', async ({
    assert,
    cleanup,
  }) => {
    const heard = collect('license:status_changed', cleanup)
    const license = await createLicense()
    const licenses = await app.container.make(LicenseService)
    await licenses.setStatus(license.key, 'suspended', { type: 'admin', id: 7, label: 'a@b.c' })
    await licenses.setStatus(license.key, 'suspended', cliActor())
    await settle(heard, 1)
    assert.lengthOf(heard, 1)
    assert.deepEqual(heard[0], {
      licenses: [
        { id: license.id, key: license.key, productId: license.productId, customerId: null },
      ],
      status: 'suspended',
      actor: { kind: 'admin', id: 7, email: 'a@b.c' },
    })
  })

  test('a failed backup is announced with its row and reason', async ({ assert, cleanup }) => {
    const heard = collect('backup:failed', cleanup)
    const root = await mkdtemp(join(tmpdir(), 'keyward-events-'))
    cleanup(() => rm(root, { recursive: true, force: true }))
    const settings = new BackupSettings({
      dir: join(root, 'backups'),
      pluginsConfigPath: app.makePath('config/plugins.ts'),
      verifyAfterCreate: false,
      uploadCommand: null,
      encryption: true,
      backupKey: null,
      keepLast: 0,
      keepDaily: 100,
      keepWeekly: 0,
      lockWait: '200ms',
    })
    app.container.swap(BackupSettings, () => settings)
    cleanup(() => app.container.restore(BackupSettings))
    const held = lock.createLock(BACKUP_LOCK, '1m')
    assert.isTrue(await held.acquireImmediately())
    try {
      const backups = await app.container.make(BackupService)
      await backups.create({ trigger: 'cli' }).catch(() => {})
    } finally {
      await held.release()
    }
    await settle(heard, 1)
    assert.lengthOf(heard, 1)
    const row = await db.from('backups').orderBy('id', 'desc').first()
    assert.equal(row.status, 'failed')
    assert.deepEqual(heard[0], { backupId: Number(row.id), reason: row.error })
  })
})
