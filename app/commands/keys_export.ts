import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { encodeKeyringForEnv, LeaseKeyring } from '#services/lease_keyring'

export default class KeysExport extends BaseCommand {
  static commandName = 'keys:export'
  static description =
    'Print the lease keyring as a LEASE_KEYRING value, for servers on several machines'
  static help = [
    'The value holds the private signing keys: treat it like APP_KEY and keep it out of logs.',
  ]
  static options: CommandOptions = { startApp: true }

  async run() {
    const keyring = await this.app.container.make(LeaseKeyring)
    this.logger.log(`LEASE_KEYRING=${encodeKeyringForEnv(await keyring.load())}`)
  }
}
