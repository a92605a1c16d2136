import { BaseSchema } from '@adonisjs/lucid/schema'

export default class extends BaseSchema {
  async up() {
    this.schema.createTable('products', (table) => {
      table.increments('id')
      table.string('name', 120).notNullable()
      table.string('slug', 60).notNullable().unique()
      table.text('description').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(
      `ALTER TABLE products ADD CONSTRAINT products_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$')`
    )

    this.schema.createTable('customers', (table) => {
      table.increments('id')
      table.string('name', 200).notNullable()
      table.string('email', 254).nullable()
      table.string('company', 200).nullable()
      table.text('notes').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(
      `CREATE UNIQUE INDEX customers_email_unique ON customers (lower(email)) WHERE email IS NOT NULL`
    )
  }

  async down() {
    this.schema.dropTable('customers')
    this.schema.dropTable('products')
  }
}
