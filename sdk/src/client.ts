import { spawnSync } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import {
  ApiError,
  type ApiErrorDetails,
  isDefinitiveRefusal,
  isTransient,
  LicenseError,
  NetworkError,
  type UpdateNotice,
} from './errors.js'
import { fingerprint as machineFingerprint } from './fingerprint.js'
import {
  LeaseInvalid,
  leaseKid,
  normalizeLicenseKey,
  trustedKeys,
  verifyLease,
  type LeaseClaims,
  type PublicKey,
} from './lease.js'
import { FileStore, type LeaseStore } from './store.js'
import {
  codesOf,
  meterUsageOf,
  UNKNOWN_LICENSE,
  usageRecordOf,
  type EntitlementCheck,
  type LicenseState,
  type MeterUsage,
  type TransferResult,
  type UsageRecord,
} from './usage.js'

export interface LicenseClientOptions {
  /** The server, e.g. `https://licenses.example.com`. */
  baseUrl: string
  /** The client API key built into your program (`AF-…`). */
  apiKey: string
  licenseKey: string
  /** Defaults to `fingerprint()`: the same for every process of this user on this machine. */
  fingerprint?: string
  /** Your program's version; the server may answer with an update notice or refuse it. */
  version?: string
  deviceName?: string
  /** Where the last lease is kept for offline use; `null` keeps none. Default: a file in the user's config folder. */
  store?: LeaseStore | null
  /**
   * Public keys to trust for leases (from `GET /api/keys/public`). Without
   * them, the keys the server serves are trusted on first use. Pinning
   * stops a user who edits the cache from forging leases; keys added by
   * `keys:rotate` are accepted through the pinned key's endorsement.
   */
  publicKeys?: PublicKey[]
  /** Ends the session on SIGINT, SIGTERM and process exit. Only for the process that owns the session. */
  releaseOnExit?: boolean
  /** `Accept-Language` for server messages. */
  locale?: string
  /** Per request. Default 10 s. */
  requestTimeoutMs?: number
  /** Backoff between retries: doubles from `baseDelayMs` up to `maxDelayMs`. */
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number }
  /** A clock set back by more than this is tampering. Default 300 s. */
  clockToleranceSeconds?: number
  /** A running session fetches a fresh lease when its lease is older than this. Default 3600 s. */
  leaseRefreshSeconds?: number
  /** The current time in ms, for tests. */
  now?: () => number
  fetch?: typeof globalThis.fetch
}

export type LicenseStatus = 'active' | 'grace' | 'expired' | 'suspended' | 'revoked'

export interface LicenseView {
  key: string
  /** `grace`: past `expires_at` but still usable until `grace_ends_at`. */
  status: LicenseStatus
  product: string | null
  type: string
  expires_at: string | null
  max_devices: number
  max_sessions: number
  session_policy: string
  devices_in_use: number
  features: Record<string, unknown>
  grace_ends_at: string | null
}

export type OfflineCode = 'LEASE_MISSING' | 'LEASE_INVALID' | 'LEASE_EXPIRED' | 'CLOCK_TAMPERED'

export interface VerifyResult {
  valid: boolean
  /** The server's `code` (`VALID`, `EXPIRED`, …) or, offline, `VALID` or an `OfflineCode`. */
  code: string
  /** True when the answer came from the cached lease because the server was unreachable. */
  offline: boolean
  /** The server's view of the license; null offline. */
  license: LicenseView | null
  /** The lease the answer rests on, when there is one. */
  lease: LeaseClaims | null
  features: Record<string, unknown>
  /** Effective entitlement codes, sorted; empty unless `valid`. Offline: the lease's. */
  entitlements: string[]
  /** The license's status (`active`, `grace`, …); offline: the lease's, null when it is refused. */
  status: string | null
  /** When the expiry grace ends, while the license is in grace. */
  graceEndsAt: string | null
  update?: UpdateNotice
  /** Why an offline answer is `LEASE_INVALID` (for logs, not for users). */
  reason?: string
}

export interface Session {
  token: string
  resumed: boolean
  heartbeatInterval: number
  sessionTimeout: number
  expiresAt: string
  /** Effective entitlement codes, sorted. */
  entitlements: string[]
  /** Set when the license is past its expiry, in the product's grace. */
  graceEndsAt: string | null
  update?: UpdateNotice
}

export interface LicenseClientEvents {
  /** The server ended the session (`reason`: `forced`, `timeout`, `replaced`, `deactivated`, `license`, …). Heartbeats have stopped. */
  ended: { reason: string | null; code: string }
  heartbeat: { expiresAt: string }
  update: UpdateNotice
  /** A heartbeat failed for a transient reason and will be retried. */
  retrying: { attempt: number; delayMs: number; error: LicenseError }
  /** An answer (or, offline, the lease) shows the license expired but in its grace: time to nag. */
  grace: { graceEndsAt: string }
}

/** What the store keeps: the lease and what is needed to judge it offline. */
interface CachedLease {
  version: 1
  lease: string
  keys: PublicKey[]
  /** Local clock when the lease arrived, and the highest local time seen since. */
  received_at: number
  highest_seen: number
  /** Server time minus local time when the lease arrived. */
  offset: number
}

/**
 * What the SDK tells the server it saw on the device (`POST /api/license/report`):
 * kept until the server could be told, since tampering is mostly found offline.
 */
interface SecurityReport {
  kind: 'lease_tampering' | 'clock_rollback'
  observed_at: string
  last_seen_at?: string
  message?: string
}

/** Reports kept at most while the server cannot be reached (the newest). */
const MAX_PENDING_REPORTS = 20

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

/**
 * The license as a valid lease states it at `now`. A lease outlives the
 * expiry only in the product's grace (its `valid_until` stops at the grace's
 * end), so a lease past `license_expires_at` is in grace even when it was
 * signed before.
 */
function offlineState(claims: LeaseClaims, now: number): LicenseState {
  const expiry = claims.license_expires_at ? Date.parse(claims.license_expires_at) : null
  const inGrace = claims.status === 'grace' || (expiry !== null && now >= expiry)
  return {
    entitlements: codesOf(claims.entitlements),
    status: inGrace ? 'grace' : 'active',
    graceEndsAt: inGrace ? (claims.grace_ends_at ?? claims.valid_until) : null,
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A licensed program's side of Keyward: activation, verification with
 * offline grace, and a session kept alive by heartbeats.
 */
export class LicenseClient extends EventEmitter {
  readonly fingerprint: string
  readonly options: LicenseClientOptions
  protected store: LeaseStore | null
  protected storeKey: string
  protected session: Session | null = null
  protected timer: NodeJS.Timeout | null = null
  protected knownKeys: PublicKey[] = []
  protected leaseReceivedAt: number | null = null
  protected refreshing = false
  protected exitHooks: Array<() => void> = []
  protected ending: Promise<void> | null = null
  protected license: LicenseState = UNKNOWN_LICENSE
  /** Reports not sent yet, when there is no store to keep them in. */
  protected pendingReports: SecurityReport[] = []

  constructor(options: LicenseClientOptions) {
    super()
    for (const name of ['baseUrl', 'apiKey', 'licenseKey'] as const) {
      if (typeof options[name] !== 'string' || options[name].trim() === '') {
        throw new TypeError(`LicenseClient: ${name} is required`)
      }
    }
    this.options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') }
    this.fingerprint = options.fingerprint ?? machineFingerprint()
    this.store = options.store === undefined ? new FileStore() : options.store
    this.storeKey = createHash('sha256')
      .update(
        [this.options.baseUrl, normalizeLicenseKey(options.licenseKey), this.fingerprint].join('\n')
      )
      .digest('hex')
      .slice(0, 32)
  }

  override on<K extends keyof LicenseClientEvents>(
    event: K,
    listener: (payload: LicenseClientEvents[K]) => void
  ): this {
    return super.on(event, listener)
  }

  override once<K extends keyof LicenseClientEvents>(
    event: K,
    listener: (payload: LicenseClientEvents[K]) => void
  ): this {
    return super.once(event, listener)
  }

  protected now() {
    return this.options.now ? this.options.now() : Date.now()
  }

  /** The live session's token, or null. */
  get sessionToken() {
    return this.session?.token ?? null
  }

  /**
   * The license's effective entitlements as the last `verify()`,
   * `startSession()` or `checkEntitlements()` gave them (offline: the
   * lease's). Empty before the first answer and after a refusal.
   */
  get entitlements(): readonly string[] {
    return this.license.entitlements
  }

  /** The license's status as last seen (`active`, `grace`, …), or null. */
  get licenseStatus() {
    return this.license.status
  }

  /** When the expiry grace ends, while the license is in grace; else null. */
  get graceEndsAt() {
    return this.license.graceEndsAt
  }

  /** Whether the license includes the entitlement, as last seen; works offline from the lease. */
  hasEntitlement(code: string) {
    return this.license.entitlements.includes(code)
  }

  /**
   * Keeps what an answer said about the license. `grace` is emitted when
   * the license enters its grace (or the grace's end moves), not on every
   * answer, so a program can nag once per change.
   */
  protected remember(state: LicenseState) {
    const previous = this.license
    this.license = state
    const entered =
      state.status === 'grace' &&
      state.graceEndsAt !== null &&
      (previous.status !== 'grace' || previous.graceEndsAt !== state.graceEndsAt)
    if (entered) this.emit('grace', { graceEndsAt: state.graceEndsAt! })
  }

  // ---------------------------------------------------------------- licenses

  /** Binds this device to the license (the same device again is no new slot). */
  async activate(): Promise<{
    license: LicenseView
    device: Record<string, unknown>
    created: boolean
  }> {
    const { body, status } = await this.call('POST', '/api/license/activate', {
      license_key: this.options.licenseKey,
      hardware_fingerprint: this.fingerprint,
      ...(this.options.deviceName ? { device_name: this.options.deviceName } : {}),
    })
    return { license: body.license, device: body.device, created: status === 201 }
  }

  /**
   * Frees this device's slot; its sessions end and its cached lease is
   * deleted. Refused with `TRANSFER_COOLDOWN` or `TRANSFER_QUOTA_EXCEEDED`
   * (self-service deactivations count against the transfer quota), the
   * device stays bound and a running session carries on.
   */
  async deactivate(): Promise<void> {
    const session = this.session
    // No heartbeat may race the deactivation and report it as `ended`.
    this.stopHeartbeats()
    this.session = null
    try {
      await this.call('POST', '/api/license/deactivate', {
        license_key: this.options.licenseKey,
        hardware_fingerprint: this.fingerprint,
      })
    } catch (error) {
      // The server answered and changed nothing (a refusal that is not
      // definitive, such as the cooldown): the session goes on. Without an
      // answer the device may be gone, so the lease goes as on success.
      if (!(error instanceof ApiError)) await this.forgetLicense()
      else if (!isDefinitiveRefusal(error.code) && session && !this.session) {
        this.session = session
        this.scheduleHeartbeat()
      }
      throw error
    }
    await this.forgetLicense()
  }

  /**
   * Asks the server whether the license may be used here. When the server
   * cannot be reached, the cached lease answers (`offline: true`) until its
   * `valid_until`. A refusal from the server deletes the cached lease.
   */
  async verify(): Promise<VerifyResult> {
    let body: any
    try {
      ;({ body } = await this.call('POST', '/api/license/verify', {
        license_key: this.options.licenseKey,
        hardware_fingerprint: this.fingerprint,
        ...(this.options.version ? { version: this.options.version } : {}),
      }))
    } catch (error) {
      if (isTransient(error)) return this.verifyOffline()
      throw error
    }
    await this.sendReports()
    if (isDefinitiveRefusal(body.code)) await this.forgetLease()
    const lease = body.lease ? await this.keepLease(body.lease) : null
    if (!body.lease && body.valid) await this.forgetLease()
    const status = body.license?.status ?? null
    const state: LicenseState = {
      entitlements: body.valid ? codesOf(body.entitlements) : [],
      status,
      // The view names the grace's end ahead of time too; the SDK's state only in it.
      graceEndsAt: status === 'grace' ? (body.license.grace_ends_at ?? null) : null,
    }
    this.remember(state)
    return {
      valid: body.valid,
      code: body.code,
      offline: false,
      license: body.license,
      lease,
      features: body.license?.features ?? {},
      ...state,
      ...(body.update ? { update: body.update } : {}),
    }
  }

  /** Judges the cached lease alone, as `verify()` does when the server is unreachable. */
  async verifyOffline(): Promise<VerifyResult> {
    const refused = (
      code: OfflineCode,
      lease: LeaseClaims | null = null,
      reason?: string
    ): VerifyResult => {
      this.remember(UNKNOWN_LICENSE)
      return {
        valid: false,
        code,
        offline: true,
        license: null,
        lease,
        features: {},
        ...UNKNOWN_LICENSE,
        ...(reason ? { reason } : {}),
      }
    }
    const cached = await this.loadLease()
    if (!cached) return refused('LEASE_MISSING')
    if (cached === 'corrupt') return refused('LEASE_INVALID')

    let claims: LeaseClaims
    try {
      claims = verifyLease(cached.lease, this.trusted(cached.keys), this.expected())
    } catch (error) {
      if (!(error instanceof LeaseInvalid)) throw error
      await this.keepReport({
        kind: 'lease_tampering',
        observed_at: new Date(this.now()).toISOString(),
        message: error.message.slice(0, 500),
      })
      return refused('LEASE_INVALID', null, error.message)
    }

    const now = this.now()
    const tolerance = (this.options.clockToleranceSeconds ?? 300) * 1000
    const highest = Math.max(cached.received_at, cached.highest_seen)
    if (
      now < highest - tolerance ||
      now + cached.offset < Date.parse(claims.issued_at) - tolerance
    ) {
      await this.keepReport({
        kind: 'clock_rollback',
        observed_at: new Date(now).toISOString(),
        last_seen_at: new Date(Math.max(highest, Date.parse(claims.issued_at))).toISOString(),
      })
      return refused('CLOCK_TAMPERED', claims)
    }
    // The stricter of the local clock and the clock corrected by the offset
    // seen when the lease arrived: neither a fast nor a slow clock gains time.
    const validUntil = Date.parse(claims.valid_until)
    if (now >= validUntil || now + cached.offset >= validUntil)
      return refused('LEASE_EXPIRED', claims)

    if (now > cached.highest_seen) await this.saveLease({ ...cached, highest_seen: now })
    const state = offlineState(claims, Math.max(now, now + cached.offset))
    this.remember(state)
    return {
      valid: true,
      code: 'VALID',
      offline: true,
      license: null,
      lease: claims,
      features: claims.features ?? {},
      ...state,
    }
  }

  // ------------------------------------------------ entitlements and usage

  /**
   * Asks the server whether the license includes every one of `codes`
   * (1–100). A missing one is an answer (`ok: false` with `missing`), not an
   * error; a license that is not usable throws as elsewhere.
   */
  async checkEntitlements(codes: string[]): Promise<EntitlementCheck> {
    try {
      const { body } = await this.call('POST', '/api/license/entitlements/check', {
        license_key: this.options.licenseKey,
        entitlements: codes,
      })
      const entitlements = codesOf(body.entitlements)
      this.remember({ ...this.license, entitlements })
      return { ok: true, missing: [], entitlements }
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'ENTITLEMENTS_MISSING')) throw error
      const missing = codesOf(error.details.missing)
      this.remember({
        ...this.license,
        entitlements: this.license.entitlements.filter((code) => !missing.includes(code)),
      })
      return { ok: false, missing, entitlements: null }
    }
  }

  /**
   * Records `amount` (1–1,000,000) on one of the product's meters. The
   * record carries an idempotency key (a new UUID unless you pass one) that
   * every retry reuses, so a retry after a lost answer counts once. Retries
   * network errors, 5xx and 429 with backoff. Refused at the limit:
   * `ApiError` `USAGE_LIMIT_REACHED` with `details.limit`, `details.used`
   * and `details.resets_at`.
   */
  async recordUsage(
    meter: string,
    amount = 1,
    options: { idempotencyKey?: string } = {}
  ): Promise<UsageRecord> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID()
    const { body, headers } = await this.withRetries(() =>
      this.call('POST', '/api/license/usage', {
        license_key: this.options.licenseKey,
        meter,
        amount,
        idempotency_key: idempotencyKey,
      })
    )
    return usageRecordOf(body, idempotencyKey, headers.get('idempotent-replayed') === 'true')
  }

  /** Every meter of the license's product: used, limit, remaining and when it resets. */
  async usage(): Promise<MeterUsage[]> {
    const key = encodeURIComponent(this.options.licenseKey.trim())
    const { body } = await this.call('GET', `/api/license/usage/${key}`)
    return Array.isArray(body.meters) ? body.meters.map(meterUsageOf) : []
  }

  /**
   * Moves a device binding to another fingerprint in one step: by default
   * from the user's old machine to this one. Counts against the product's
   * transfer quota and cooldown (`TRANSFER_COOLDOWN`,
   * `TRANSFER_QUOTA_EXCEEDED`: `details.retry_at`, `retryAfter`). Moving this
   * device away ends its session and deletes its lease.
   */
  async transfer(input: {
    fromFingerprint: string
    toFingerprint?: string
    deviceName?: string
  }): Promise<TransferResult> {
    const { body } = await this.call('POST', '/api/license/transfer', {
      license_key: this.options.licenseKey,
      from_fingerprint: input.fromFingerprint,
      to_fingerprint: input.toFingerprint ?? this.fingerprint,
      ...(input.deviceName ? { device_name: input.deviceName } : {}),
    })
    if (input.fromFingerprint === this.fingerprint) {
      this.close()
      await this.forgetLicense()
    }
    return {
      device: body.device,
      transfersLeft: body.transfers_left ?? null,
      nextTransferAt: body.next_transfer_at ?? null,
    }
  }

  // ---------------------------------------------------------------- sessions

  /**
   * Starts (or, under the resumable policy, resumes) the session and keeps
   * it alive with heartbeats at the server's interval until it ends.
   */
  async startSession(): Promise<Session> {
    const { body } = await this.withRetries(() =>
      this.call('POST', '/api/license/session/start', {
        license_key: this.options.licenseKey,
        hardware_fingerprint: this.fingerprint,
        ...(this.options.version ? { version: this.options.version } : {}),
      })
    )
    if (body.lease) await this.keepLease(body.lease)
    const graceEndsAt: string | null = body.grace_ends_at ?? null
    this.session = {
      token: body.session_token,
      resumed: body.resumed,
      heartbeatInterval: body.heartbeat_interval,
      sessionTimeout: body.session_timeout,
      expiresAt: body.expires_at,
      entitlements: codesOf(body.entitlements),
      graceEndsAt,
      ...(body.update ? { update: body.update } : {}),
    }
    this.remember({
      entitlements: this.session.entitlements,
      status: graceEndsAt ? 'grace' : 'active',
      graceEndsAt,
    })
    if (body.update) this.emit('update', body.update)
    if (this.options.releaseOnExit) this.installExitHooks()
    this.scheduleHeartbeat()
    return this.session
  }

  /**
   * Ends the session for everyone sharing it, and stops heartbeats. Safe to
   * call twice: a second call waits for the first.
   */
  async endSession(): Promise<void> {
    if (this.ending) return this.ending
    const session = this.session
    this.stopHeartbeats()
    this.session = null
    this.removeExitHooks()
    if (!session) return
    this.ending = this.call('POST', '/api/license/session/end', { session_token: session.token })
      .then(
        () => {},
        (error) => {
          if (!(error instanceof ApiError && error.code === 'SESSION_NOT_FOUND')) throw error
        }
      )
      .finally(() => (this.ending = null))
    return this.ending
  }

  /** Stops heartbeats without ending the session (another process may carry it on). */
  close() {
    this.stopHeartbeats()
    this.removeExitHooks()
    this.session = null
  }

  protected scheduleHeartbeat(delayMs?: number) {
    this.stopHeartbeats()
    if (!this.session) return
    // 85–100 % of the interval: clients that started together spread out,
    // and none beats later than the server asked.
    const interval = this.session.heartbeatInterval * 1000
    const delay = delayMs ?? interval * (0.85 + Math.random() * 0.15)
    this.timer = setTimeout(() => void this.beat(1), delay)
    // The session alone never keeps a program running.
    this.timer.unref()
  }

  protected stopHeartbeats() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  protected async beat(attempt: number) {
    const session = this.session
    if (!session) return
    try {
      const { body } = await this.call('POST', '/api/license/session/heartbeat', {
        session_token: session.token,
        license_key: this.options.licenseKey,
      })
      if (this.session !== session) return
      session.expiresAt = body.expires_at
      this.emit('heartbeat', { expiresAt: body.expires_at })
      if (body.update) this.emit('update', body.update)
      this.scheduleHeartbeat()
      this.refreshLeaseWhenOld()
    } catch (error) {
      if (this.session !== session) return
      const failure =
        error instanceof LicenseError ? error : new NetworkError(String(error), null, error)
      if (isTransient(failure)) {
        const delayMs = this.backoff(attempt, session.heartbeatInterval * 1000, failure)
        this.emit('retrying', { attempt, delayMs, error: failure })
        this.stopHeartbeats()
        this.timer = setTimeout(() => void this.beat(attempt + 1), delayMs)
        this.timer.unref()
        return
      }
      const reason = failure instanceof ApiError ? (failure.details.end_reason ?? null) : null
      this.session = null
      this.stopHeartbeats()
      this.removeExitHooks()
      if (reason === 'deactivated' || reason === 'license') await this.forgetLicense()
      this.emit('ended', { reason, code: failure.code })
    }
  }

  protected refreshLeaseWhenOld() {
    const maxAge = (this.options.leaseRefreshSeconds ?? 3600) * 1000
    if (this.refreshing || this.leaseReceivedAt === null) return
    if (this.now() - this.leaseReceivedAt < maxAge) return
    this.refreshing = true
    this.verify()
      .catch(() => {})
      .finally(() => (this.refreshing = false))
  }

  protected backoff(attempt: number, capMs: number, error: LicenseError) {
    const base = this.options.retry?.baseDelayMs ?? 1000
    const max = Math.min(this.options.retry?.maxDelayMs ?? 30_000, capMs)
    const retryAfter = error instanceof ApiError && error.retryAfter ? error.retryAfter * 1000 : 0
    const exponential = Math.min(max, base * 2 ** (attempt - 1))
    return Math.max(retryAfter, exponential * (0.5 + Math.random() * 0.5))
  }

  protected async withRetries<T>(work: () => Promise<T>): Promise<T> {
    const attempts = this.options.retry?.attempts ?? 3
    for (let attempt = 1; ; attempt++) {
      try {
        return await work()
      } catch (error) {
        if (!isTransient(error) || attempt >= attempts) throw error
        await sleep(
          this.backoff(attempt, this.options.retry?.maxDelayMs ?? 30_000, error as LicenseError)
        )
      }
    }
  }

  // ------------------------------------------------------------ release on exit

  protected installExitHooks() {
    if (this.exitHooks.length > 0) return
    for (const signal of SIGNALS) {
      const onSignal = () => {
        // Runs first (prepended), while the program's own handlers are
        // still registered: without any, do what Node would have done.
        const handledElsewhere = process.listeners(signal).some((listener) => listener !== onSignal)
        process.removeListener(signal, onSignal)
        this.endSession()
          .catch(() => {})
          .finally(() => {
            if (!handledElsewhere) process.kill(process.pid, signal)
          })
      }
      process.prependListener(signal, onSignal)
      this.exitHooks.push(() => process.removeListener(signal, onSignal))
    }
    const onBeforeExit = () => void this.endSession().catch(() => {})
    process.once('beforeExit', onBeforeExit)
    this.exitHooks.push(() => process.removeListener('beforeExit', onBeforeExit))
    const onExit = () => this.releaseSynchronously()
    process.once('exit', onExit)
    this.exitHooks.push(() => process.removeListener('exit', onExit))
  }

  protected removeExitHooks() {
    for (const remove of this.exitHooks.splice(0)) remove()
  }

  /**
   * `process.exit()` leaves no time for a request, so a short-lived child
   * process sends it (best effort, at most 3 s). The token and API key go
   * through its stdin: a command line is visible to every user of the machine.
   */
  protected releaseSynchronously() {
    if (!this.session) return
    const script = `let input = ''
      process.stdin.on('data', (chunk) => (input += chunk)).on('end', () => {
        const { url, apiKey, token } = JSON.parse(input)
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({ session_token: token }), signal: AbortSignal.timeout(2500) }).catch(() => {})
      })`
    spawnSync(process.execPath, ['-e', script], {
      input: JSON.stringify({
        url: `${this.options.baseUrl}/api/license/session/end`,
        apiKey: this.options.apiKey,
        token: this.session.token,
      }),
      timeout: 3000,
      stdio: ['pipe', 'ignore', 'ignore'],
      windowsHide: true,
    })
    this.session = null
  }

  // -------------------------------------------------------------- leases

  protected expected() {
    return { licenseKey: this.options.licenseKey, fingerprint: this.fingerprint }
  }

  protected trusted(keys: PublicKey[]) {
    return trustedKeys(keys, this.options.publicKeys)
  }

  /** Verifies a lease the server just sent and caches it; a lease that fails is not kept. */
  protected async keepLease(token: string): Promise<LeaseClaims | null> {
    const kid = leaseKid(token)
    if (!this.trusted(this.knownKeys).some((key) => key.kid === kid)) {
      try {
        this.knownKeys = await this.fetchPublicKeys()
      } catch (error) {
        if (!isTransient(error)) throw error
        return null
      }
    }
    let claims: LeaseClaims
    try {
      claims = verifyLease(token, this.trusted(this.knownKeys), this.expected())
    } catch (error) {
      if (error instanceof LeaseInvalid) return null
      throw error
    }
    const receivedAt = this.now()
    this.leaseReceivedAt = receivedAt
    const previous = await this.loadLease()
    const highestSeen = previous && previous !== 'corrupt' ? previous.highest_seen : 0
    await this.saveLease({
      version: 1,
      lease: token,
      keys: this.trusted(this.knownKeys),
      received_at: receivedAt,
      highest_seen: Math.max(receivedAt, highestSeen),
      offset: Date.parse(claims.issued_at) - receivedAt,
    })
    return claims
  }

  /** The public keys the server serves now. */
  async fetchPublicKeys(): Promise<PublicKey[]> {
    const { body } = await this.call('GET', '/api/keys/public')
    return Array.isArray(body.keys) ? body.keys : []
  }

  /** The cached lease; `corrupt` when the store holds something that is not one. */
  protected async loadLease(): Promise<CachedLease | 'corrupt' | null> {
    if (!this.store) return null
    const text = await this.store.load(this.storeKey)
    if (!text) return null
    try {
      const cached = JSON.parse(text) as CachedLease
      const wellFormed =
        cached.version === 1 &&
        typeof cached.lease === 'string' &&
        Array.isArray(cached.keys) &&
        [cached.received_at, cached.highest_seen, cached.offset].every(Number.isFinite)
      return wellFormed ? cached : 'corrupt'
    } catch {
      return 'corrupt'
    }
  }

  protected async saveLease(cached: CachedLease) {
    if (this.store) await this.store.save(this.storeKey, JSON.stringify(cached))
  }

  protected async forgetLease() {
    this.leaseReceivedAt = null
    if (this.store) await this.store.delete(this.storeKey)
  }

  /** After a definitive refusal: neither the lease nor what the last answers said holds. */
  protected async forgetLicense() {
    this.remember(UNKNOWN_LICENSE)
    await this.forgetLease()
  }

  // ------------------------------------------------------- security reports

  protected get reportsKey() {
    return `${this.storeKey}-reports`
  }

  protected async loadReports(): Promise<SecurityReport[]> {
    if (!this.store) return this.pendingReports
    try {
      const parsed = JSON.parse((await this.store.load(this.reportsKey)) ?? '[]')
      return Array.isArray(parsed) ? parsed : []
    } catch {
      return []
    }
  }

  protected async saveReports(reports: SecurityReport[]) {
    const kept = reports.slice(-MAX_PENDING_REPORTS)
    if (!this.store) {
      this.pendingReports = kept
    } else if (kept.length === 0) {
      await this.store.delete(this.reportsKey)
    } else {
      await this.store.save(this.reportsKey, JSON.stringify(kept))
    }
  }

  /** Keeps what was detected, to tell the server at the next answer it gives. */
  protected async keepReport(report: SecurityReport) {
    await this.saveReports([...(await this.loadReports()), report])
  }

  /**
   * Tells the server what was detected since it last answered. A report the
   * server refuses is dropped; one it cannot take now waits for the next time.
   */
  protected async sendReports() {
    const pending = await this.loadReports()
    if (pending.length === 0) return
    let sent = 0
    for (const report of pending) {
      try {
        await this.call('POST', '/api/license/report', {
          license_key: this.options.licenseKey,
          hardware_fingerprint: this.fingerprint,
          ...report,
        })
      } catch (error) {
        if (isTransient(error)) break
      }
      sent++
    }
    await this.saveReports(pending.slice(sent))
  }

  // ---------------------------------------------------------------- http

  protected async call(
    method: 'GET' | 'POST',
    path: string,
    payload?: Record<string, unknown>
  ): Promise<{ status: number; body: any; headers: Headers }> {
    let response: Response
    try {
      response = await (this.options.fetch ?? globalThis.fetch)(`${this.options.baseUrl}${path}`, {
        method,
        headers: {
          'accept': 'application/json',
          'x-api-key': this.options.apiKey,
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(this.options.locale ? { 'accept-language': this.options.locale } : {}),
        },
        body: payload ? JSON.stringify(payload) : undefined,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
      })
    } catch (error) {
      throw new NetworkError(`cannot reach ${this.options.baseUrl}`, null, error)
    }
    let body: any = null
    try {
      body = await response.json()
    } catch {}
    if (response.ok && body) return { status: response.status, body, headers: response.headers }

    const error = body?.error
    if (typeof error?.code !== 'string') {
      throw new NetworkError(`${method} ${path} answered ${response.status}`, response.status)
    }
    const { code, message, ...details } = error as {
      code: string
      message: string
    } & ApiErrorDetails
    const retryAfter = Number(response.headers.get('retry-after')) || null
    if (isDefinitiveRefusal(code)) await this.forgetLicense()
    throw new ApiError(code, message ?? code, response.status, details, retryAfter)
  }
}
