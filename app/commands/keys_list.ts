import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { LeaseKeyring } from '#services/lease_keyring'

export default class KeysList extends BaseCommand {
  static commandName = 'keys:list'
  static description = 'List the lease signing keys (creates the keyring on first use)'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print the public keys as GET /api/keys/public serves them' })
  declare json?: boolean

  async run() {
    const keyring = await this.app.container.make(LeaseKeyring)
    const keys = await keyring.publishedKeys()
    if (this.json) {
      this.logger.log(JSON.stringify({ keys }))
      return
    }
    const table = this.ui.table()
    table.head(['Kid', 'Status', 'Created', 'Retired', 'Endorsed by'])
    for (const key of keys) {
      table.row([
        key.kid,
        key.status,
        key.created_at,
        key.retired_at ?? '-',
        key.endorsed_by ?? '-',
      ])
    }
    table.render()
    this.logger.info(`Keyring: ${keyring.source}`)
  }
}
