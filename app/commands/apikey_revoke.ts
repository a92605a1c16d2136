import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import ApiKey from '#models/api_key'
import ApiKeyService from '#services/api_key_service'
import { cliActor } from '#support/actor'

/** api_keys.id is a PostgreSQL integer: a larger id cannot exist. */
const MAX_ID = 2_147_483_647

export default class ApiKeyRevoke extends BaseCommand {
  static commandName = 'apikey:revoke'
  static description = 'Revoke a client API key: requests using it are refused from then on'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Id of the key, as apikey:list shows it' })
  declare id: string

  @flags.boolean({ description: 'Do not ask for confirmation' })
  declare force?: boolean

  async run() {
    const id = Number(this.id.trim())
    if (!/^\d+$/.test(this.id.trim()) || id < 1 || id > MAX_ID) {
      this.logger.error(`"${this.id}" is not an API key id: give the number apikey:list shows`)
      this.exitCode = 1
      return
    }

    const apiKey = await ApiKey.find(id)
    if (!apiKey) {
      this.logger.error(`No API key has the id ${id}`)
      this.exitCode = 1
      return
    }
    if (apiKey.revokedAt) {
      this.logger.info(
        `API key #${id} "${apiKey.name}" was already revoked on ${apiKey.revokedAt.toUTC().toFormat("yyyy-LL-dd HH:mm 'UTC'")}`
      )
      return
    }

    if (!this.force) {
      // A prompt nobody can answer would hang a script or a CI job.
      if (!process.stdin.isTTY) {
        this.logger.error(
          'Refusing to revoke without confirmation: run this in a terminal, or pass --force'
        )
        this.exitCode = 1
        return
      }
      const confirmed = await this.prompt.confirm(
        `Revoke API key #${id} "${apiKey.name}" (${apiKey.keyHint})? Programs using it will be refused`
      )
      if (!confirmed) {
        this.logger.info('Nothing revoked')
        return
      }
    }

    const apiKeys = await this.app.container.make(ApiKeyService)
    const revoked = await apiKeys.revoke(id, cliActor())
    if (!revoked) {
      // Deleted by someone else since it was looked up.
      this.logger.error(`No API key has the id ${id}`)
      this.exitCode = 1
      return
    }
    this.logger.success(`Revoked API key #${id} "${revoked.name}"`)
  }
}
