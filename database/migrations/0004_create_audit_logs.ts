import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The append-only audit log. Rows are written in the same transaction as the
 * change they describe; the database itself refuses to change or remove them.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_logs', (table) => {
      table.bigIncrements('id')
      table.string('actor_type', 20).notNullable()
      table.string('actor_id', 64).nullable()
      table.string('actor_label', 200).nullable()
      table.string('action', 80).notNullable()
      table.string('subject_type', 60).nullable()
      table.string('subject_id', 64).nullable()
      table.jsonb('before').nullable()
      table.jsonb('after').nullable()
      table.specificType('ip', 'inet').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['subject_type', 'subject_id'])
      table.index(['action'])
      table.index(['created_at'])
    })
    this.schema.raw(`
      ALTER TABLE audit_logs
        ADD CONSTRAINT audit_logs_actor_type CHECK (actor_type IN ('admin', 'api_key', 'cli', 'system'))
    `)
    this.schema.raw(`
      CREATE FUNCTION audit_logs_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_logs is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$
    `)
    this.schema.raw(`
      CREATE TRIGGER audit_logs_append_only
        BEFORE UPDATE OR DELETE ON audit_logs
        FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change()
    `)
    this.schema.raw(`
      CREATE TRIGGER audit_logs_no_truncate
        BEFORE TRUNCATE ON audit_logs
        FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change()
    `)
  }

  async down() {
    this.schema.dropTable('audit_logs')
    this.schema.raw('DROP FUNCTION IF EXISTS audit_logs_refuse_change()')
  }
}
