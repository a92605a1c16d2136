import { Exception } from '@adonisjs/core/exceptions'

export interface DomainErrorOptions {
  /** The form field the refusal concerns; absent for a refusal of the whole action. */
  field?: string
  /** Translation key of the message an admin reads (absent: `errors.<code>`). */
  messageKey?: string
  /** Values the message interpolates. */
  data?: Record<string, unknown>
  /**
   * The error's own message, for the command line and logs (absent: the
   * code, after the field). The panel shows `messageKey`'s text instead.
   */
  message?: string
}

/**
 * A rule of the domain refused what was asked: an e-mail already taken,
 * the last owner demoted, a device limit below the devices in use. The
 * `code` says which rule (stable, for tests and callers that branch on it);
 * the panel shows the message beside `field`, or at the top of the page.
 *
 * This is the one rule error of the core and of plugins; refusals a client
 * of the API acts on are `ApiError`s, whose codes are part of the contract.
 */
export class DomainError extends Exception {
  static status = 422

  readonly field?: string
  readonly messageKey: string
  readonly data: Record<string, unknown>

  constructor(code: string, options: DomainErrorOptions = {}) {
    super(options.message ?? (options.field ? `${options.field}: ${code}` : code), {
      code,
      status: 422,
    })
    this.field = options.field
    this.messageKey = options.messageKey ?? `errors.${code}`
    this.data = options.data ?? {}
  }

  /** True when `error` is a DomainError (with that code, when one is given). */
  static is(error: unknown, code?: string): error is DomainError {
    return error instanceof DomainError && (code === undefined || error.code === code)
  }
}
