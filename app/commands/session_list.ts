import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import SessionLiveList from '#services/session_list'

export default class SessionList extends BaseCommand {
  static commandName = 'session:list'
  static description = 'Show who is online: the sessions live right now'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only the sessions of this license key' })
  declare license?: string

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    const sessions = await this.app.container.make(SessionLiveList)
    const live = await sessions.allLive({ licenseKey: this.license })
    if (this.json) {
      this.logger.log(JSON.stringify(live, null, 2))
      return
    }
    if (live.length === 0) {
      this.logger.info('No session is live')
      return
    }
    const table = this.ui.table()
    table.head(['Id', 'License', 'Device', 'IP', 'Version', 'Started', 'Last heartbeat'])
    for (const session of live) {
      table.row([
        String(session.id),
        session.license_key,
        session.fingerprint,
        session.ip ?? '',
        session.client_version ?? '',
        session.started_at.toISOString(),
        session.last_heartbeat_at.toISOString(),
      ])
    }
    table.render()
  }
}
