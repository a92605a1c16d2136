import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { AuditTrail, Clock, whereMatches, type Actor } from '#plugin_host/api'
import { recordHistory } from './history.js'
import { normalizeValue } from './resource_values.js'
import PoolsSettings from './settings.js'

export const STATUSES = ['available', 'allocated', 'quarantined', 'retired'] as const
export type ResourceStatus = (typeof STATUSES)[number]

/** One line (of a paste or a CSV) to add: a value of a type, with its pool and notes. */
export interface AdditionLine {
  line: number
  type: string
  value: string
  pool: string | null
  notes: string | null
}

/** Why a line was refused: a key of `resource_pools.problems` and its data. */
export interface AdditionProblem {
  line: number
  value: string
  problem: string
  data?: Record<string, unknown>
}

export type AdditionResult =
  { ok: true; added: number } | { ok: false; problems: AdditionProblem[] }

/** Free, allocated, quarantined and retired per type and pool. */
export interface UsageRow {
  type: string
  pool: string | null
  available: number
  allocated: number
  quarantined: number
  retired: number
  flagged: number
}

/**
 * The pool's contents: adding resources in bulk, retiring them, and the
 * figures of the overview.
 */
@inject()
export default class ResourceInventory {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail,
    protected settings: PoolsSettings
  ) {}

  /**
   * Adds every line's resources, or none: each value is normalized by its
   * type (a CIDR range is its addresses), and a line whose value is
   * invalid, repeats an earlier line or is in the pool already is
   * reported with its line number; then nothing is added.
   */
  async add(lines: AdditionLine[], actor: Actor): Promise<AdditionResult> {
    const problems: AdditionProblem[] = []
    const seen = new Map<string, number>()
    const rows: {
      type: string
      value: string
      pool: string | null
      notes: string | null
      line: number
    }[] = []
    for (const entry of lines) {
      const normalized = normalizeValue(entry.type, entry.value, this.settings.config)
      if ('problem' in normalized) {
        problems.push({
          line: entry.line,
          value: entry.value,
          problem: normalized.problem,
          data: normalized.data,
        })
        continue
      }
      for (const value of normalized.values) {
        const key = `${entry.type}\u0000${value}`
        const earlier = seen.get(key)
        if (earlier !== undefined) {
          problems.push({
            line: entry.line,
            value,
            problem: 'duplicate_line',
            data: { line: earlier },
          })
          continue
        }
        seen.set(key, entry.line)
        rows.push({
          type: entry.type,
          value,
          pool: entry.pool,
          notes: entry.notes,
          line: entry.line,
        })
      }
    }
    if (rows.length === 0 && problems.length === 0) {
      return { ok: false, problems: [{ line: 0, value: '', problem: 'nothing_to_add' }] }
    }
    const now = this.clock.now()
    const outcome = await db.transaction(async (trx) => {
      // Values the pool has already: all named, nothing added.
      const existing = await trx.rawQuery(
        `SELECT r.type, r.value FROM resource_pools_resources r
         JOIN unnest(?::text[], ?::text[]) AS n(type, value) ON n.type = r.type AND n.value = r.value`,
        [rows.map((row) => row.type), rows.map((row) => row.value)]
      )
      for (const row of existing.rows as { type: string; value: string }[]) {
        const line = seen.get(`${row.type}\u0000${row.value}`)!
        problems.push({ line, value: row.value, problem: 'already_in_pool' })
      }
      if (problems.length > 0) return null
      const ids: number[] = []
      for (let index = 0; index < rows.length; index += 500) {
        const inserted = await trx
          .table('resource_pools_resources')
          .multiInsert(
            rows.slice(index, index + 500).map(({ line: _line, ...row }) => ({
              ...row,
              created_at: now.toJSDate(),
              updated_at: now.toJSDate(),
            }))
          )
          .returning('id')
        ids.push(...inserted.map((row: { id: string }) => Number(row.id)))
      }
      await recordHistory(
        trx,
        actor,
        now,
        ids.map((id) => ({ resourceId: id, action: 'added' as const }))
      )
      const byType: Record<string, number> = {}
      for (const row of rows) byType[row.type] = (byType[row.type] ?? 0) + 1
      await this.audit.record(trx, actor, {
        action: 'resource_pools.added',
        subjectType: 'resource',
        after: {
          added: rows.length,
          by_type: byType,
          pools: [...new Set(rows.map((row) => row.pool))],
        },
      })
      return rows.length
    })
    if (outcome === null) {
      return { ok: false, problems: problems.sort((a, b) => a.line - b.line) }
    }
    return { ok: true, added: outcome }
  }

  /**
   * Retires resources for good. An allocated one must be released (or
   * swapped) first, so no license loses a resource silently.
   */
  async retire(ids: number[], actor: Actor, reason: string | null = null) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const retired = await trx
        .from('resource_pools_resources')
        .whereIn('id', ids)
        .whereIn('status', ['available', 'quarantined'])
        .update({ status: 'retired', quarantined_until: null, updated_at: now.toJSDate() })
        .returning(['id', 'type', 'value'])
      await recordHistory(
        trx,
        actor,
        now,
        retired.map((row) => ({ resourceId: Number(row.id), action: 'retired' as const, reason }))
      )
      if (retired.length > 0) {
        await this.audit.record(trx, actor, {
          action: 'resource_pools.retired',
          subjectType: 'resource',
          after: { resources: retired.map((row) => `${row.type}:${row.value}`), reason },
        })
      }
      return { retired: retired.length, skipped: ids.length - retired.length }
    })
  }

  /** Counts per type and pool (flagged: reported by a client, not handed out again). */
  async usage(): Promise<UsageRow[]> {
    const rows = await db
      .from('resource_pools_resources')
      .select('type', 'pool')
      .select(
        db.raw(
          `count(*) FILTER (WHERE status = 'available' AND flagged_at IS NULL)::int AS available`
        ),
        db.raw(`count(*) FILTER (WHERE status = 'allocated')::int AS allocated`),
        db.raw(`count(*) FILTER (WHERE status = 'quarantined')::int AS quarantined`),
        db.raw(`count(*) FILTER (WHERE status = 'retired')::int AS retired`),
        db.raw(
          `count(*) FILTER (WHERE flagged_at IS NOT NULL AND status <> 'retired')::int AS flagged`
        )
      )
      .groupBy('type', 'pool')
      .orderBy([{ column: 'type' }, { column: 'pool' }])
    return rows as UsageRow[]
  }

  /** Totals per configured type, with whether free ones are below the type's watermark. */
  async totals() {
    const usage = await this.usage()
    return this.settings.typeNames.map((type) => {
      const rows = usage.filter((row) => row.type === type)
      const sum = (key: keyof UsageRow) => rows.reduce((total, row) => total + Number(row[key]), 0)
      const lowWatermark = this.settings.typeOf(type)!.lowWatermark
      const available = sum('available')
      return {
        type,
        available,
        allocated: sum('allocated'),
        quarantined: sum('quarantined'),
        retired: sum('retired'),
        flagged: sum('flagged'),
        lowWatermark,
        low: available < lowWatermark,
      }
    })
  }

  /** The names of the pools in use, for the filters. */
  async poolNames(): Promise<string[]> {
    const rows = await db
      .from('resource_pools_resources')
      .whereNotNull('pool')
      .distinct('pool')
      .orderBy('pool')
    return rows.map((row) => row.pool)
  }

  async find(id: number) {
    return db
      .from('resource_pools_resources as r')
      .leftJoin('licenses as l', 'l.id', 'r.license_id')
      .where('r.id', id)
      .select('r.*', 'l.key as license_key')
      .first()
  }

  /** A resource's whole history, oldest first. */
  async historyOf(resourceId: number) {
    return db
      .from('resource_pools_events as e')
      .leftJoin('resource_pools_resources as o', 'o.id', 'e.other_resource_id')
      .where('e.resource_id', resourceId)
      .select('e.*', 'o.value as other_value')
      .orderBy('e.id')
  }

  /** The history of every resource a license has held, newest first. */
  async historyOfLicense(licenseId: number, limit = 200) {
    return db
      .from('resource_pools_events as e')
      .join('resource_pools_resources as r', 'r.id', 'e.resource_id')
      .leftJoin('resource_pools_resources as o', 'o.id', 'e.other_resource_id')
      .where('e.license_id', licenseId)
      .select('e.*', 'r.type', 'r.value', 'o.value as other_value')
      .orderBy('e.id', 'desc')
      .limit(limit)
  }

  /** The resource list's query: search over value, pool and notes; filters by type, status, pool, flag. */
  listQuery(filters: {
    q?: string
    type?: string
    status?: string
    pool?: string
    flagged?: string
  }) {
    const query = db
      .from('resource_pools_resources as r')
      .leftJoin('licenses as l', 'l.id', 'r.license_id')
      .select('r.id', 'r.type', 'r.value', 'r.pool', 'r.status', 'r.notes', 'r.license_id')
      .select('r.allocated_at')
      .select(
        'r.quarantined_until',
        'r.flagged_at',
        'r.flag_reason',
        'r.created_at',
        'l.key as license_key'
      )
    if (filters.q) whereMatches(query, ['r.value', 'r.pool', 'r.notes', 'l.key'], filters.q)
    if (filters.type) query.where('r.type', filters.type)
    if (filters.status) query.where('r.status', filters.status)
    if (filters.pool) query.where('r.pool', filters.pool)
    if (filters.flagged === 'yes') query.whereNotNull('r.flagged_at')
    return query
  }
}
