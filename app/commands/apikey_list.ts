import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { DateTime } from 'luxon'
import ApiKeyListing from '#services/api_key_list'

const formatDate = (value: DateTime | null, empty: string) =>
  value ? value.toUTC().toFormat("yyyy-LL-dd HH:mm 'UTC'") : empty

export default class ApiKeyList extends BaseCommand {
  static commandName = 'apikey:list'
  static description = 'List client API keys (active ones unless --all)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Include revoked keys' })
  declare all?: boolean

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    const lists = await this.app.container.make(ApiKeyListing)
    const apiKeys = await lists.all(this.all ?? false)

    if (this.json) {
      const rows = apiKeys.map((apiKey) => ({
        id: apiKey.id,
        name: apiKey.name,
        hint: apiKey.keyHint,
        created_at: apiKey.createdAt.toISO(),
        last_used_at: apiKey.lastUsedAt?.toISO() ?? null,
        revoked_at: apiKey.revokedAt?.toISO() ?? null,
      }))
      this.logger.log(JSON.stringify(rows))
      return
    }

    if (apiKeys.length === 0) {
      this.logger.info(
        this.all
          ? 'There are no API keys'
          : 'There are no active API keys (--all shows revoked ones)'
      )
      return
    }
    const table = this.ui.table()
    table.head(['Id', 'Name', 'Hint', 'Created', 'Last used', 'Revoked'])
    for (const apiKey of apiKeys) {
      table.row([
        String(apiKey.id),
        apiKey.name,
        apiKey.keyHint,
        formatDate(apiKey.createdAt, '-'),
        formatDate(apiKey.lastUsedAt, 'never'),
        formatDate(apiKey.revokedAt, '-'),
      ])
    }
    table.render()
  }
}
