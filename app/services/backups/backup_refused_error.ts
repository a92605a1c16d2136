import { DomainError } from '#exceptions/domain_error'

/**
 * Why an archive may not be used: not a Keyward backup, damaged or
 * changed, encrypted with another key, from a newer schema. Thrown before
 * anything is changed; the message is one line for the command line, the
 * code (`backup_damaged`, `backup_wrong_key`, ...) picks the panel's text
 * (`backups.errors.<code>`, with `name` and `reason`).
 */
export class BackupRefusedError extends DomainError {
  constructor(
    code: string,
    readonly archiveName: string,
    readonly reason: string
  ) {
    super(code, {
      message: `${archiveName} cannot be used: ${reason}`,
      messageKey: `backups.errors.${code}`,
      data: { name: archiveName, reason },
    })
  }
}
