import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import AuditTrail from '#services/audit_trail'
import { encodeKeyringForEnv, LeaseKeyring } from '#services/lease_keyring'
import { cliActor } from '#support/actor'

export default class KeysRotate extends BaseCommand {
  static commandName = 'keys:rotate'
  static description = 'Add a new lease signing key; leases signed by the old one stay verifiable'
  static help = [
    'The new key signs every lease from now on. The previous key is retired: it stays',
    'published at GET /api/keys/public (and vouches for the new key) until no lease',
    'it signed can still be valid. Running servers pick the new key up within seconds.',
    'With LEASE_KEYRING set, nothing is written: set the printed value on every server.',
  ]
  static options: CommandOptions = { startApp: true }

  async run() {
    const keyring = await this.app.container.make(LeaseKeyring)
    const audit = await this.app.container.make(AuditTrail)
    const { keyring: next, added, dropped } = await keyring.rotate(new Date())
    await db.transaction((trx) =>
      audit.record(trx, cliActor(), {
        action: 'lease_key.rotated',
        subjectType: 'lease_key',
        subjectId: added.kid,
        before: { kid: added.endorsed_by },
        after: { kid: added.kid, dropped: dropped.map((key) => key.kid) },
      })
    )
    this.logger.success(`New signing key ${added.kid} (previous: ${added.endorsed_by})`)
    if (dropped.length > 0) {
      this.logger.info(
        `Dropped keys retired over a year ago: ${dropped.map((k) => k.kid).join(', ')}`
      )
    }
    if (this.app.config.get('leases.keyringFromEnv')) {
      this.logger.warning('LEASE_KEYRING is set, so nothing was written. Set this on every server:')
      this.logger.log(`LEASE_KEYRING=${encodeKeyringForEnv(next)}`)
    } else {
      this.logger.info(`Keyring: ${keyring.source}`)
    }
  }
}
