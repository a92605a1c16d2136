import { BaseCheck, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import type { ApplicationService } from '@adonisjs/core/types'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import type { Database } from '@adonisjs/lucid/database'

/**
 * Has every migration (of the core and of every installed plugin, the
 * paths in config/database.ts) run? Lucid's own migrator, in dry mode,
 * lists them against `adonis_schema`: a process of a new release started
 * before `migration:run` is not ready. A recorded migration whose file is
 * gone (an older release on a newer database) only warns.
 */
export class MigrationsCheck extends BaseCheck {
  name = 'migrations'

  constructor(
    protected db: Database,
    protected app: ApplicationService
  ) {
    super()
  }

  async run(): Promise<HealthCheckResult> {
    const migrator = new MigrationRunner(this.db, this.app, {
      direction: 'up',
      dryRun: true,
      disableLocks: true,
    })
    const list = await migrator.getList()
    const pending = list.filter((entry) => entry.status === 'pending').map((entry) => entry.name)
    const unknown = list.filter((entry) => entry.status === 'corrupt').map((entry) => entry.name)
    const meta = { total: list.length, pending, unknown }
    if (pending.length > 0) {
      return Result.failed(
        `${pending.length} migration(s) have not run: \`node ace.ts migration:run --force\``
      )
        .mergeMetaData(meta)
        .toJSON()
    }
    if (unknown.length > 0) {
      return Result.warning(
        `${unknown.length} migration(s) recorded in the database have no file in this release`
      )
        .mergeMetaData(meta)
        .toJSON()
    }
    return Result.ok('every migration has run').mergeMetaData(meta).toJSON()
  }
}
