import { randomBytes } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { ADMIN_ROLES, type AdminRole } from '#models/admin_user'
import { DomainError } from '#exceptions/domain_error'
import AdminUserService from '#services/admin_user_service'
import { adminCreateValidator } from '#validators/panel_auth'
import { cliActor } from '#support/actor'
import { errors as vineErrors } from '@vinejs/vine'

/**
 * Creates a panel admin: the first owner after installing, or any admin
 * later. Asks for what the flags leave out; without a terminal (scripts),
 * a missing password is generated and printed once.
 */
export default class AdminCreate extends BaseCommand {
  static commandName = 'admin:create'
  static description = 'Create a panel admin (the first one should be an owner)'
  static help = [
    'Interactive:  node ace.ts admin:create',
    'Scripted:     node ace.ts admin:create --email ops@example.com --role owner --no-interactive',
    '              (prints a generated password; or pass --password)',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Email address to sign in with' })
  declare email?: string

  @flags.string({ description: 'Full name (optional)' })
  declare name?: string

  @flags.string({ description: `Role: ${ADMIN_ROLES.join(' or ')} (default owner)` })
  declare role?: string

  @flags.string({ description: 'Password, at least 12 characters (prompted for when left out)' })
  declare password?: string

  @flags.boolean({
    description: 'Prompt for what the flags leave out (--no-interactive: never prompt)',
    default: true,
  })
  declare interactive: boolean

  protected get canPrompt() {
    return this.interactive && Boolean(process.stdin.isTTY)
  }

  async run() {
    const email = this.email ?? (this.canPrompt ? await this.prompt.ask('Email') : undefined)
    const role = (this.role ??
      (this.canPrompt
        ? await this.prompt.choice('Role', [...ADMIN_ROLES], { default: 'owner' })
        : 'owner')) as AdminRole
    let password = this.password
    let generated = false
    if (!password && this.canPrompt) {
      password = await this.prompt.secure('Password (at least 12 characters)')
    }
    if (!password) {
      password = randomBytes(12).toString('base64url')
      generated = true
    }

    const [error, input] = await adminCreateValidator.tryValidate({
      email,
      role,
      password,
      full_name: this.name,
    })
    if (error) {
      const messages =
        error instanceof vineErrors.E_VALIDATION_ERROR
          ? (error.messages as { field: string; message: string }[])
          : [{ field: 'input', message: String(error) }]
      for (const message of messages) this.logger.error(`--${message.field}: ${message.message}`)
      this.exitCode = 1
      return
    }
    const admins = await this.app.container.make(AdminUserService)
    try {
      const admin = await admins.create(
        {
          email: input.email,
          password: input.password,
          role: input.role,
          fullName: input.full_name ?? null,
        },
        cliActor('admin:create')
      )
      this.logger.success(`Created ${admin.role} ${admin.email} (#${admin.id})`)
      if (generated) this.logger.log(`Password (shown once): ${password}`)
    } catch (failure) {
      if (!DomainError.is(failure, 'email_taken')) throw failure
      this.logger.error(`An admin with the email ${input.email} exists already`)
      this.exitCode = 1
    }
  }
}
