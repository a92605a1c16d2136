import { createHash, timingSafeEqual } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import type { HttpContext } from '@adonisjs/core/http'
import env from '#start/env'

/**
 * Who may read what only operators should see: the metrics and the full
 * readiness report. A caller is an operator when it sends the bearer token
 * `METRICS_TOKEN`, or when it comes from an address in `METRICS_ALLOW` (a
 * comma list of addresses and CIDR ranges, default `127.0.0.1,::1`; the
 * address is the client's as `request.ip()` sees it, so behind a proxy
 * `TRUST_PROXY` decides whether `X-Forwarded-For` counts).
 */
export class OperatorAccess {
  readonly #token: Buffer | null
  readonly #allowed = new BlockList()

  constructor(options: { token: string | null; allow: string }) {
    this.#token = options.token ? digest(options.token) : null
    for (const entry of parseAllowList(options.allow)) {
      if (entry.prefix === null) this.#allowed.addAddress(entry.address, entry.family)
      else this.#allowed.addSubnet(entry.address, entry.prefix, entry.family)
    }
  }

  /** The rule as the environment sets it. */
  static fromEnv() {
    return new OperatorAccess({
      token: env.get('METRICS_TOKEN')?.release() || null,
      allow: env.get('METRICS_ALLOW', '127.0.0.1,::1'),
    })
  }

  /** Whether the request carries the token or comes from an allowed address. */
  allows(request: HttpContext['request']) {
    return this.hasToken(request.header('authorization')) || this.allowsAddress(request.ip())
  }

  /** `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time. */
  hasToken(authorization: string | undefined) {
    if (!this.#token || !authorization) return false
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    if (!match) return false
    // Digests of equal length: the comparison tells nothing of the token's length either.
    return timingSafeEqual(digest(match[1]), this.#token)
  }

  allowsAddress(address: string) {
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4
    const candidate = plain ? address.slice(7) : address
    const family = isIP(candidate)
    if (family === 0) return false
    return this.#allowed.check(candidate, family === 4 ? 'ipv4' : 'ipv6')
  }
}

function digest(token: string) {
  return createHash('sha256').update(token).digest()
}

interface AllowEntry {
  address: string
  prefix: number | null
  family: 'ipv4' | 'ipv6'
}

/** `METRICS_ALLOW` entries; a malformed one throws with its text (config/health.ts checks at boot). */
export function parseAllowList(value: string): AllowEntry[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [address, prefixText, ...rest] = entry.split('/')
      const family = isIP(address)
      const prefix = prefixText === undefined ? null : Number(prefixText)
      const maxPrefix = family === 4 ? 32 : 128
      if (
        family === 0 ||
        rest.length > 0 ||
        (prefix !== null && (!/^\d+$/.test(prefixText) || prefix > maxPrefix))
      ) {
        throw new Error(
          `METRICS_ALLOW: "${entry}" is neither an address nor a CIDR range (e.g. 10.0.0.0/8)`
        )
      }
      return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' }
    })
}

let shared: OperatorAccess | null = null

/** The process' rule, read from the environment once. */
export function operatorAccess() {
  shared ??= OperatorAccess.fromEnv()
  return shared
}
