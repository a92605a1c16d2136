import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, copyFile, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import { DomainError } from '#exceptions/domain_error'
import { parseKeyring, type KeyringData } from '#services/lease_keyring'
import type { OpenedArchive } from './archive_reader.js'
import type { BackupSettingsValues } from './backup_settings.js'
import { checkSchemaKnown, PARTS } from './manifest.js'
import { queryWithPsql, replaceDatabase, restoreInto } from './postgres_tools.js'

export interface RestoreResult {
  name: string
  migrationsRun: string[]
  backupRowsCarried: number
  keyring: 'written' | 'unchanged' | 'env-unchanged' | 'env-differs'
  /** Kids of the archived keyring (what LEASE_KEYRING must hold when it differs). */
  keyringKids: string[]
  pluginsConfig: 'restored' | 'unchanged'
  /** The previous config/plugins.ts, kept when it was replaced. */
  pluginsConfigBackup: string | null
}

/** What a trial restore found: the tables restored, or what was wrong. */
export interface TrialResult {
  tables: number
  error: string | null
}

/**
 * Restores an opened (checked) archive: into a scratch database to prove
 * it restores (`trial`), or over this installation (`apply`).
 */
export class ArchiveRestorer {
  constructor(protected config: BackupSettingsValues) {}

  /**
   * Restores the archive's database into `database` (created here and
   * dropped afterwards whatever happens) and checks that it has tables and
   * the migrations its manifest names. Never rejects: a failure is the
   * result's error.
   */
  async trial(archive: OpenedArchive, database: string): Promise<TrialResult> {
    let tables = 0
    let error: string | null = null
    try {
      await db.rawQuery(`CREATE DATABASE "${database}"`)
      try {
        await restoreInto(this.config.databaseUrl, database, archive.paths.database)
        const found = await queryWithPsql(
          this.config.databaseUrl,
          database,
          `SELECT count(*) FROM pg_tables WHERE schemaname = 'public';
           SELECT name FROM adonis_schema ORDER BY id;`
        )
        const [count, ...migrations] = found.split('\n')
        tables = Number(count)
        const expected = Object.values(archive.manifest.migrations ?? {})
        const missing = expected.filter((migration) => !migrations.includes(migration))
        if (tables === 0 || missing.length > 0) {
          error = `the restored database lacks ${missing.length > 0 ? missing.join(', ') : 'tables'}`
        }
      } finally {
        await db.rawQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)
      }
    } catch (caught) {
      error = (caught as Error).message
    }
    return { tables, error }
  }

  /**
   * Replaces the database, the lease keyring and config/plugins.ts with the
   * archive's. Refuses (BackupRefusedError, nothing changed) an archive from
   * a newer schema. The database is replaced in one transaction; then
   * pending migrations run, the backups rows of before are put back, and
   * the keyring and plugin selection are written.
   */
  async apply(archive: OpenedArchive): Promise<RestoreResult> {
    const { name, manifest, paths } = archive
    checkSchemaKnown(name, manifest, fileURLToPath(app.appRoot))
    const archivedKeyring = parseKeyring(
      await readFile(paths.keyring, 'utf8'),
      `${name}/${PARTS.keyring}`
    )

    const history = await db.from('backups').select('*').orderBy('id')
    try {
      await replaceDatabase(this.config.databaseUrl, paths.database, this.config.restoreLockTimeout)
    } catch (error) {
      if (/lock timeout/i.test((error as Error).message)) {
        throw new DomainError('backup_restore_busy', {
          messageKey: 'backups.errors.backup_restore_busy',
          message:
            `Could not lock the tables within ${this.config.restoreLockTimeout}: the application ` +
            'is busy. Nothing was changed; try again, or stop the web processes and job workers first',
        })
      }
      throw new Error(
        `Restoring the database failed, nothing was changed: ${(error as Error).message}`
      )
    }
    // The history is put back even when a migration fails: it must not be lost with it.
    let migrationsRun: string[] = []
    let migrationError: unknown = null
    try {
      migrationsRun = await this.migrate()
    } catch (error) {
      migrationError = error
    }
    const backupRowsCarried = await this.carryOver(history)
    if (migrationError) throw migrationError
    const keyring = await this.restoreKeyring(archivedKeyring)
    const plugins = await this.restorePluginsConfig(paths.pluginsConfig)

    return {
      name,
      migrationsRun,
      backupRowsCarried,
      keyring,
      keyringKids: archivedKeyring.keys.map((key) => key.kid),
      pluginsConfig: plugins.restored ? 'restored' : 'unchanged',
      pluginsConfigBackup: plugins.previous,
    }
  }

  /** Runs pending migrations, as `migration:run` does; the names it ran. */
  protected async migrate() {
    const database = await app.container.make('lucid.db')
    const runner = new MigrationRunner(database, app, { direction: 'up' })
    await runner.run()
    if (runner.error) {
      throw new Error(`The database was restored, but a migration failed: ${runner.error.message}`)
    }
    return Object.keys(runner.migratedFiles)
  }

  /** Puts the backups rows of before the restore back (the archive carries none). */
  protected async carryOver(history: Record<string, unknown>[]) {
    await db.transaction(async (trx) => {
      await trx.from('backups').delete()
      for (let at = 0; at < history.length; at += 500) {
        await trx.table('backups').multiInsert(history.slice(at, at + 500))
      }
      await trx.rawQuery(
        `SELECT setval(pg_get_serial_sequence('backups', 'id'), GREATEST((SELECT max(id) FROM backups), 1))`
      )
    })
    return history.length
  }

  protected async restoreKeyring(archived: KeyringData): Promise<RestoreResult['keyring']> {
    const archivedText = JSON.stringify(archived)
    if (this.config.keyringFromEnv) {
      const current = parseKeyring(
        Buffer.from(this.config.keyringFromEnv, 'base64url').toString('utf8'),
        'LEASE_KEYRING'
      )
      return JSON.stringify(current) === archivedText ? 'env-unchanged' : 'env-differs'
    }
    const path = this.config.keyringPath
    if (existsSync(path)) {
      const current = JSON.stringify(parseKeyring(await readFile(path, 'utf8'), path))
      if (current === archivedText) return 'unchanged'
      await copyFile(path, `${path}.before-restore`)
      await chmod(`${path}.before-restore`, 0o600)
    }
    await writeAtomically(path, JSON.stringify(archived, null, 2) + '\n')
    return 'written'
  }

  protected async restorePluginsConfig(archivedPath: string) {
    const target = this.config.pluginsConfigPath
    const archived = await readFile(archivedPath)
    const current = existsSync(target) ? await readFile(target) : null
    if (current && current.equals(archived)) return { restored: false, previous: null }
    const previous = `${target}.before-restore`
    if (current) await writeFile(previous, current)
    await writeAtomically(target, archived, 0o644)
    return { restored: true, previous: current ? previous : null }
  }
}

/** Writes a file through a temporary one beside it, so no reader sees half of it. */
async function writeAtomically(path: string, content: string | Buffer, mode = 0o600) {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temporary, content, { mode, flag: 'wx' })
  try {
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => {})
    throw error
  }
}
