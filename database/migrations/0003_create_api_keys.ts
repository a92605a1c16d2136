import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Client API keys. Only a SHA-256 digest of the key is stored: the keys carry
 * 165 bits from a CSPRNG, so a fast digest is as safe as a slow password hash
 * and lets every request find its key through an index.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('api_keys', (table) => {
      table.increments('id')
      table.string('name', 120).notNullable()
      table.specificType('key_hash', 'char(64)').notNullable().unique()
      table.string('key_hint', 20).notNullable()
      table.timestamp('last_used_at', { useTz: true }).nullable()
      table.timestamp('revoked_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
  }

  async down() {
    this.schema.dropTable('api_keys')
  }
}
