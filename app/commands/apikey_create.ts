import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import ApiKeyService from '#services/api_key_service'
import { cliActor } from '#support/actor'

export default class ApiKeyCreate extends BaseCommand {
  static commandName = 'apikey:create'
  static description = 'Create a client API key and print it (it is shown only once)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'A name to recognise the key by, e.g. the program it is built into' })
  declare name: string

  async run() {
    const name = this.name.trim()
    if (name.length < 1 || name.length > 120) {
      this.logger.error('The name must have 1 to 120 characters')
      this.exitCode = 1
      return
    }
    const apiKeys = await this.app.container.make(ApiKeyService)
    const { apiKey, plain } = await apiKeys.create(name, cliActor())
    this.logger.success(`Created API key #${apiKey.id} "${apiKey.name}"`)
    this.logger.log(plain)
    this.logger.info('Store it now: only its hash is kept.')
  }
}
