import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import License from '#models/license'
import Product from '#models/product'
import { ApiError } from '#exceptions/api_error'
import { licenseEntitledSql } from '#rules/license_entitled'
import { sessionLiveSql } from '#rules/session_live'
import { normalizeLicenseKey } from '#support/license_keys'
import { preparedQuery } from '#support/prepared_query'

/**
 * A license as a client call needs it, read in one statement: the license
 * with its product loaded, its effective entitlements and, for a call that
 * names a device, that device's active binding. The hot calls (`verify`,
 * `session/start`) used to make a round trip for each of these.
 */
export interface LicenseSnapshot {
  license: License
  /** Effective entitlement codes, sorted byte-wise (LicenseEntitlements). */
  entitlements: string[]
  /** The active device of the fingerprint asked about; null when none is bound (or none asked). */
  device: { id: number; lastSeenAt: Date } | null
}

/** A snapshot with what a `verify` shows besides: the license's active devices. */
export interface VerifySnapshot extends LicenseSnapshot {
  devicesInUse: number
}

/** `alias.column AS "prefix.column"` for every column of the model. */
function columnsOf(model: LucidModel, alias: string) {
  model.boot()
  return [...model.$columnsDefinitions.values()]
    .map(({ columnName }) => `${alias}.${columnName} AS "${alias}.${columnName}"`)
    .join(', ')
}

/** The columns of one table out of a row whose columns are prefixed `alias.`. */
function rowOf(row: Record<string, unknown>, alias: string) {
  const prefix = `${alias}.`
  const own: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith(prefix)) own[name.slice(prefix.length)] = value
  }
  return own
}

let statements: { verify: string; resume: string; locked: string; lockedLicense: string } | null =
  null

/**
 * Built once the models are booted. `$1` is the key, `$2` the fingerprint
 * (null when none). The devices count and the device are read for `verify`
 * only: under `FOR UPDATE` (a start) they would come from the snapshot taken
 * before the lock was granted, which is what a limit must never trust;
 * a start reads them after the lock.
 */
function sql() {
  if (statements) return statements
  const license = `${columnsOf(License, 'l')}, ${columnsOf(Product, 'p')}`
  const entitlements = `ARRAY(SELECT e.code FROM entitlements e
      WHERE e.product_id = l.product_id AND ${licenseEntitledSql('l', 'e')}
      ORDER BY e.code COLLATE "C") AS entitlements`
  const from = 'FROM licenses l JOIN products p ON p.id = l.product_id'
  statements = {
    verify: `SELECT ${license}, ${entitlements},
      (SELECT count(*)::int FROM devices d WHERE d.license_id = l.id AND d.active) AS devices_in_use,
      own.id AS device_id, own.last_seen_at AS device_last_seen_at
      ${from}
      LEFT JOIN devices own ON own.license_id = l.id AND own.fingerprint = $2 AND own.active
      WHERE l.key = $1`,
    // $3: the moment. The device's newest live session, as the resumable policy picks it.
    resume: `SELECT ${license}, ${entitlements},
      (SELECT s.id FROM license_sessions s
        WHERE s.license_id = l.id AND s.fingerprint = $2 AND ${sessionLiveSql('s', '$3')}
        ORDER BY s.started_at DESC, s.id DESC LIMIT 1) AS own_session_id
      ${from} WHERE l.key = $1`,
    // Knex's placeholder: these run inside the caller's transaction.
    locked: `SELECT ${license}, ${entitlements} ${from} WHERE l.key = ? FOR UPDATE OF l`,
    lockedLicense: `SELECT ${license} ${from} WHERE l.key = ? FOR UPDATE OF l`,
  }
  return statements
}

type SnapshotRow = Record<string, unknown> & {
  entitlements?: string[]
  devices_in_use?: number
  device_id?: string | number | null
  device_last_seen_at?: Date | null
  own_session_id?: string | number | null
}

function snapshotOf(row: SnapshotRow): LicenseSnapshot {
  const license = License.$createFromAdapterResult(rowOf(row, 'l'))!
  license.$setRelated('product', Product.$createFromAdapterResult(rowOf(row, 'p'))!)
  const device =
    row.device_id === null || row.device_id === undefined
      ? null
      : { id: Number(row.device_id), lastSeenAt: row.device_last_seen_at! }
  return { license, entitlements: row.entitlements ?? [], device }
}

/**
 * For `verify`: no lock, the devices in use and the asked device included.
 *
 * @throws ApiError `404 LICENSE_NOT_FOUND`
 */
export async function verifySnapshot(
  licenseKey: string,
  fingerprint: string | null
): Promise<VerifySnapshot> {
  const [row] = await preparedQuery<SnapshotRow>('keyward_verify_snapshot', sql().verify, [
    normalizeLicenseKey(licenseKey),
    fingerprint,
  ])
  if (!row) throw new ApiError('LICENSE_NOT_FOUND')
  return { ...snapshotOf(row), devicesInUse: Number(row.devices_in_use) }
}

/**
 * For a start that may resume without the license lock (SessionService):
 * no lock, and the id of the device's newest live session at `moment`.
 *
 * @throws ApiError `404 LICENSE_NOT_FOUND`
 */
export async function resumeSnapshot(
  licenseKey: string,
  fingerprint: string,
  moment: Date
): Promise<Omit<LicenseSnapshot, 'device'> & { ownSessionId: number | null }> {
  const [row] = await preparedQuery<SnapshotRow>('keyward_resume_snapshot', sql().resume, [
    normalizeLicenseKey(licenseKey),
    fingerprint,
    moment,
  ])
  if (!row) throw new ApiError('LICENSE_NOT_FOUND')
  const { license, entitlements } = snapshotOf(row)
  const ownSessionId =
    row.own_session_id === null || row.own_session_id === undefined
      ? null
      : Number(row.own_session_id)
  return { license, entitlements, ownSessionId }
}

async function lockedRow(trx: TransactionClientContract, statement: string, licenseKey: string) {
  const { rows } = await trx.rawQuery<{ rows: SnapshotRow[] }>(statement, [
    normalizeLicenseKey(licenseKey),
  ])
  if (rows.length === 0) throw new ApiError('LICENSE_NOT_FOUND')
  return snapshotOf(rows[0])
}

/**
 * Locks the license row for the rest of the transaction (every change to a
 * license's devices and sessions queues up behind this lock) and reads the
 * license with its product.
 *
 * @throws ApiError `404 LICENSE_NOT_FOUND`
 */
export async function lockLicense(trx: TransactionClientContract, licenseKey: string) {
  const { license } = await lockedRow(trx, sql().lockedLicense, licenseKey)
  return license
}

/**
 * `lockLicense`, and the license's entitlements read with it (a start
 * answers with them).
 *
 * @throws ApiError `404 LICENSE_NOT_FOUND`
 */
export async function lockedSnapshot(
  trx: TransactionClientContract,
  licenseKey: string
): Promise<Omit<LicenseSnapshot, 'device'>> {
  const { license, entitlements } = await lockedRow(trx, sql().locked, licenseKey)
  return { license, entitlements }
}
