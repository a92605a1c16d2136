import app from '@adonisjs/core/services/app'
import string from '@adonisjs/core/helpers/string'
import env from '#start/env'

/** The upper bound of any offline grace, and how long retired keys stay published. */
export const MAX_OFFLINE_GRACE_SECONDS = 365 * 24 * 3600

const offlineGraceSeconds = string.seconds.parse(env.get('LEASE_OFFLINE_GRACE', '7d'))
if (offlineGraceSeconds < 0 || offlineGraceSeconds > MAX_OFFLINE_GRACE_SECONDS) {
  throw new Error(`LEASE_OFFLINE_GRACE must lie between 0 and 365 days`)
}

/**
 * Signed leases: what lets a client keep working offline for a while.
 * The Ed25519 signing keys live outside the database, so a database dump
 * cannot mint leases: in the keyring file (created on first use, mode 0600)
 * or, for several machines, in `LEASE_KEYRING` (see `keys:export`).
 */
const leasesConfig = {
  /** Default offline grace of products without one of their own; 0 turns leases off. */
  offlineGraceSeconds,
  keyringPath: env.get('LEASE_KEYRING_PATH', app.makePath('storage/lease_keys.json')),
  /** The whole keyring as one value (base64url JSON); wins over the file when set. */
  keyringFromEnv: env.get('LEASE_KEYRING')?.release() ?? null,
  /** How often a process looks for a keyring rotated by another process. */
  reloadEverySeconds: 5,
}

export default leasesConfig
