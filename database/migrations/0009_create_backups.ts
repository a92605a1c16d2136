import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One row per backup attempt: scheduled, from the panel or from the
 * command line. The archives themselves live in BACKUP_DIR; this table is
 * their history (status, size, checksum, verification, upload, pruning),
 * seen by every process. Its rows are left out of the archives' data and
 * carried over by a restore, so restoring never forgets what backups exist.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('backups', (table) => {
      table.bigIncrements('id')
      /** The archive's file name in BACKUP_DIR; null until it is written. */
      table.string('name', 200).nullable().unique()
      table.string('status', 20).notNullable().defaultTo('queued')
      table.string('trigger', 20).notNullable()
      /** What the run is doing now and how far (0-100), for the panel. */
      table.string('phase', 40).nullable()
      table.smallint('progress').notNullable().defaultTo(0)
      table.bigInteger('size_bytes').nullable()
      table.string('sha256', 64).nullable()
      table.boolean('encrypted').notNullable().defaultTo(false)
      table.text('error').nullable()
      table.timestamp('verified_at', { useTz: true }).nullable()
      table.text('verify_error').nullable()
      table.timestamp('uploaded_at', { useTz: true }).nullable()
      table.text('upload_error').nullable()
      table.timestamp('pruned_at', { useTz: true }).nullable()
      /** The admin who asked for it (panel), or null. */
      table.integer('requested_by').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('started_at', { useTz: true }).nullable()
      table.timestamp('finished_at', { useTz: true }).nullable()
      table.index(['status', 'finished_at'])
    })
    this.schema.raw(
      `ALTER TABLE backups ADD CONSTRAINT backups_status_known
         CHECK (status IN ('queued', 'running', 'succeeded', 'failed'))`
    )
    this.schema.raw(
      `ALTER TABLE backups ADD CONSTRAINT backups_trigger_known
         CHECK (trigger IN ('schedule', 'panel', 'cli'))`
    )
    this.schema.raw(
      `ALTER TABLE backups ADD CONSTRAINT backups_progress_range CHECK (progress BETWEEN 0 AND 100)`
    )
  }

  async down() {
    this.schema.dropTable('backups')
  }
}
