import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * How long a client may keep working from its signed lease while it cannot
 * reach the server. Null means the server's default (`LEASE_OFFLINE_GRACE`,
 * 7 days); 0 turns offline use off for the product. A year at most: retired
 * signing keys stay published that long, so no lease outlives its key.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('products', (table) => {
      table.integer('offline_grace_seconds').nullable()
    })
    this.schema.raw(
      `ALTER TABLE products ADD CONSTRAINT products_offline_grace_range
         CHECK (offline_grace_seconds BETWEEN 0 AND 31536000)`
    )
  }

  async down() {
    this.schema.alterTable('products', (table) => {
      table.dropColumn('offline_grace_seconds')
    })
  }
}
