import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The dashboard counts the heartbeats of the last minute every few seconds.
 * Heartbeats are appended in time order, so a BRIN index on `at` (a few
 * pages per month partition) finds the last minute without scanning the
 * month; a B-tree would cost every heartbeat an index insert of its own.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(
      `CREATE INDEX session_heartbeats_at_brin ON session_heartbeats USING brin (at) WITH (pages_per_range = 32)`
    )
  }

  async down() {
    this.schema.raw('DROP INDEX IF EXISTS session_heartbeats_at_brin')
  }
}
