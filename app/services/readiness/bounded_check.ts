import { BaseCheck, Result } from '@adonisjs/core/health'
import type { HealthCheckContract, HealthCheckResult } from '@adonisjs/core/types/health'

/**
 * Runs another check with a time limit, and turns a check that throws into
 * a failed result: a database that hangs instead of refusing must not hang
 * the probe, and one broken check must not take the whole report down.
 * Name and cache duration are the wrapped check's.
 */
export class BoundedCheck extends BaseCheck {
  name: string

  constructor(
    protected check: HealthCheckContract,
    protected timeoutMs: number
  ) {
    super()
    this.name = check.name
    this.cacheDuration = check.cacheDuration
  }

  async run(): Promise<HealthCheckResult> {
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<HealthCheckResult>((resolve) => {
      timer = setTimeout(
        () =>
          resolve(
            Result.failed(`no answer within ${(this.timeoutMs / 1000).toFixed(1)} s`).toJSON()
          ),
        this.timeoutMs
      )
    })
    try {
      return await Promise.race([this.#attempt(), timedOut])
    } finally {
      clearTimeout(timer)
    }
  }

  async #attempt(): Promise<HealthCheckResult> {
    try {
      return await this.check.run()
    } catch (error) {
      return Result.failed(messageOf(error)).toJSON()
    }
  }
}

export function messageOf(error: unknown) {
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
