import { belongsTo, hasMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import { Product, schema } from '#plugin_host/api'
import ClientConfigRevision from './client_config_revision.js'

/** A product's client configuration (one per product). */
export default class ClientConfig extends schema.VersionGateConfigSchema {
  static table = 'version_gate_configs'

  @belongsTo(() => Product)
  declare product: BelongsTo<typeof Product>

  @hasMany(() => ClientConfigRevision)
  declare revisions: HasMany<typeof ClientConfigRevision>
}
