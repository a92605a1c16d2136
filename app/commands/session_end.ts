import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import SessionService from '#services/session_service'
import { cliActor } from '#support/actor'

export default class SessionEnd extends BaseCommand {
  static commandName = 'session:end'
  static description =
    'End a live session (end_reason forced): its client is told at its next heartbeat'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Id of the session, as session:list shows it' })
  declare id: string

  async run() {
    const id = Number(this.id.trim())
    if (!/^\d+$/.test(this.id.trim()) || !Number.isSafeInteger(id) || id < 1) {
      this.logger.error(`"${this.id}" is not a session id: give the number session:list shows`)
      this.exitCode = 1
      return
    }
    const sessions = await this.app.container.make(SessionService)
    if (!(await sessions.forceEnd(id, cliActor()))) {
      this.logger.error(`No live session has the id ${id}`)
      this.exitCode = 1
      return
    }
    this.logger.success(`Ended session #${id}; its client gets 410 SESSION_ENDED (forced)`)
  }
}
