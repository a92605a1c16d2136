import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import {
  AuditTrail,
  Clock,
  DomainError,
  inTransaction,
  normalizeLicenseKey,
  type Actor,
} from '#plugin_host/api'
import { recordHistory, type HistoryEntry } from './history.js'
import PoolsSettings from './settings.js'

type Client = TransactionClientContract

export interface HeldResource {
  id: number
  type: string
  value: string
  pool: string | null
  allocated_at: Date
  flagged_at: Date | null
  flag_reason: string | null
}

/** A type the pool could not give enough of: nothing was taken. */
export interface Shortage {
  type: string
  wanted: number
  free: number
}

export type AllocationResult =
  | { ok: true; taken: { id: number; type: string; value: string }[] }
  | { ok: false; short: Shortage[] }

interface LockedLicense {
  id: number
  key: string
  status: string
  template_id: number | null
}

/**
 * Takes `wanted` free resources per type for the license, all or none, in
 * one statement: the free rows are picked and locked per type (LATERAL,
 * oldest first), and the UPDATE that allocates them runs only when every
 * type got its count. With `skipLocked`, rows other allocations hold are
 * passed over instead of waited for.
 */
async function takeFree(
  client: Client,
  license: LockedLicense,
  wanted: [string, number][],
  pool: string | null,
  now: DateTime,
  skipLocked: boolean
): Promise<AllocationResult> {
  const lock = skipLocked ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE'
  const bindings: unknown[] = [
    wanted.map(([type]) => type),
    wanted.map(([, count]) => count),
    pool,
    pool,
    license.id,
    now.toJSDate(),
    now.toJSDate(),
  ]
  const result = await client.rawQuery(
    `
    WITH wanted AS (
      SELECT * FROM unnest(?::text[], ?::int[]) WITH ORDINALITY AS w(type, n, position)
    ),
    picked AS MATERIALIZED (
      SELECT free.id, w.type
      FROM wanted w
      CROSS JOIN LATERAL (
        SELECT r.id FROM resource_pools_resources r
        WHERE r.type = w.type AND r.status = 'available' AND r.flagged_at IS NULL
          AND (?::text IS NULL OR r.pool = ?::text)
        ORDER BY r.id
        LIMIT w.n
        ${lock}
      ) free
    ),
    counted AS (
      SELECT w.type, w.n, (SELECT count(*) FROM picked p WHERE p.type = w.type)::int AS got
      FROM wanted w
    ),
    taken AS (
      UPDATE resource_pools_resources r
      SET status = 'allocated', license_id = ?, allocated_at = ?, updated_at = ?
      FROM picked p
      WHERE r.id = p.id AND NOT EXISTS (SELECT 1 FROM counted WHERE got < n)
      RETURNING r.id, r.type, r.value
    )
    SELECT 'taken' AS kind, id, type, value, NULL::int AS n, NULL::int AS got FROM taken
    UNION ALL
    SELECT 'short', NULL, type, NULL, n, got FROM counted WHERE got < n
    `,
    bindings as any[]
  )
  const rows = result.rows as {
    kind: string
    id: string | null
    type: string
    value: string | null
    n: number | null
    got: number | null
  }[]
  const short = rows.filter((row) => row.kind === 'short')
  if (short.length > 0) {
    return {
      ok: false,
      short: short.map((row) => ({ type: row.type, wanted: row.n!, free: row.got! })),
    }
  }
  return {
    ok: true,
    taken: rows
      .map((row) => ({ id: Number(row.id), type: row.type, value: row.value! }))
      .sort((a, b) => a.id - b.id),
  }
}

/**
 * Allocation, release, quarantine, swap and reports: everything that moves
 * a resource between the pool and a license. Every change locks the
 * license's row first (as the core's changes to a license do), writes the
 * resources' history and an audit row in the same transaction.
 */
@inject()
export default class ResourceAllocator {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail,
    protected settings: PoolsSettings
  ) {}

  protected async lockLicense(trx: Client, licenseId: number): Promise<LockedLicense> {
    const license = await trx
      .from('licenses')
      .select('id', 'key', 'status', 'template_id')
      .where('id', licenseId)
      .forUpdate()
      .first()
    if (!license)
      throw new DomainError('license_not_found', {
        messageKey: 'resource_pools.errors.license_not_found',
      })
    return { ...license, id: Number(license.id) }
  }

  /** The license's id by its key, or null. */
  async licenseIdOf(key: string, client?: Client) {
    const row = await (client ?? db)
      .from('licenses')
      .select('id')
      .where('key', normalizeLicenseKey(key))
      .first()
    return row ? Number(row.id) : null
  }

  /**
   * What the license asks for, per type: its own counts where it has them,
   * else its template's (read now, never copied, as the rest of a template).
   */
  async needsOf(licenseId: number, client?: Client): Promise<Record<string, number>> {
    const rows = await (client ?? db).rawQuery(
      `
      SELECT t.type, COALESCE(own.count, tpl.count, 0)::int AS count, own.count IS NOT NULL AS own
      FROM unnest(?::text[]) AS t(type)
      JOIN licenses l ON l.id = ?
      LEFT JOIN resource_pools_license_needs own ON own.license_id = l.id AND own.type = t.type
      LEFT JOIN resource_pools_template_needs tpl ON tpl.template_id = l.template_id AND tpl.type = t.type
      `,
      [this.settings.typeNames, licenseId]
    )
    return Object.fromEntries(
      (rows.rows as { type: string; count: number }[]).map((row) => [row.type, row.count])
    )
  }

  /** The license's own counts (null: follows its template for that type). */
  async ownNeedsOf(licenseId: number): Promise<Record<string, number | null>> {
    const rows = await db.from('resource_pools_license_needs').where('license_id', licenseId)
    const own = new Map(rows.map((row) => [row.type as string, Number(row.count)]))
    return Object.fromEntries(this.settings.typeNames.map((type) => [type, own.get(type) ?? null]))
  }

  async heldBy(licenseId: number, client?: Client): Promise<HeldResource[]> {
    const rows = await (client ?? db)
      .from('resource_pools_resources')
      .select('id', 'type', 'value', 'pool', 'allocated_at', 'flagged_at', 'flag_reason')
      .where({ license_id: licenseId, status: 'allocated' })
      .orderBy([{ column: 'type' }, { column: 'value' }])
    return rows.map((row) => ({ ...row, id: Number(row.id) }))
  }

  /** What clients are told: every configured type, with the license's values sorted. */
  async clientView(licenseId: number, client?: Client): Promise<Record<string, string[]>> {
    return this.viewOf(await this.heldBy(licenseId, client))
  }

  viewOf(held: HeldResource[]): Record<string, string[]> {
    const view: Record<string, string[]> = Object.fromEntries(
      this.settings.typeNames.map((type) => [type, []])
    )
    for (const row of held) (view[row.type] ??= []).push(row.value)
    return view
  }

  /**
   * Takes resources for the license, all or nothing: `counts` per type, or
   * (without) what it lacks of its needs. Runs under the license's row lock.
   * Free resources are taken with SKIP LOCKED, so allocations for other
   * licenses never queue behind each other; only when that comes up short
   * is the statement run again waiting for the rows others hold, since a
   * concurrent allocation that will itself come up short may hold some
   * (its locks are released with its savepoint).
   */
  async allocate(
    licenseId: number,
    counts: Record<string, number> | null,
    actor: Actor,
    options: { pool?: string | null; client?: Client } = {}
  ): Promise<AllocationResult> {
    for (const type of Object.keys(counts ?? {})) {
      if (!this.settings.typeOf(type)) {
        throw new DomainError('unknown_type', {
          field: type,
          messageKey: 'resource_pools.problems.unknown_type',
          data: { type },
        })
      }
    }
    const now = this.clock.now()
    return inTransaction(options.client, async (trx) => {
      const license = await this.lockLicense(trx, licenseId)
      let wanted = counts
      if (!wanted) {
        const needs = await this.needsOf(license.id, trx)
        const held = await this.heldBy(license.id, trx)
        wanted = Object.fromEntries(
          Object.entries(needs).map(([type, need]) => [
            type,
            Math.max(0, need - held.filter((row) => row.type === type).length),
          ])
        )
      }
      const list = Object.entries(wanted)
        .filter(([, count]) => count > 0)
        .sort(([a], [b]) => a.localeCompare(b))
      if (list.length === 0) return { ok: true, taken: [] }
      const result = await this.takeAllOrNothing(trx, license, list, options.pool ?? null, now)
      if (!result.ok) return result
      await recordHistory(
        trx,
        actor,
        now,
        result.taken.map((row) => ({
          resourceId: row.id,
          action: 'allocated',
          license: { id: license.id, key: license.key },
        }))
      )
      await this.audit.record(trx, actor, {
        action: 'resource_pools.allocated',
        subjectType: 'license',
        subjectId: license.id,
        after: {
          resources: result.taken.map((row) => `${row.type}:${row.value}`),
          pool: options.pool ?? null,
        },
      })
      return result
    })
  }

  protected async takeAllOrNothing(
    trx: Client,
    license: LockedLicense,
    wanted: [string, number][],
    pool: string | null,
    now: DateTime
  ) {
    await trx.rawQuery('SAVEPOINT resource_pools_take')
    const quick = await takeFree(trx, license, wanted, pool, now, true)
    if (quick.ok) {
      await trx.rawQuery('RELEASE SAVEPOINT resource_pools_take')
      return quick
    }
    await trx.rawQuery('ROLLBACK TO SAVEPOINT resource_pools_take')
    return takeFree(trx, license, wanted, pool, now, false)
  }

  /**
   * Gives resources back to the pool: to quarantine or straight back to
   * `available`, as their type's settings say. Writes their history.
   */
  protected async giveBack(
    trx: Client,
    ids: number[],
    actor: Actor,
    now: DateTime,
    license:
      | { id: number | null; key: string | null }
      | ((resourceId: number) => { id: number | null; key: string | null }),
    reason: string | null
  ) {
    if (ids.length === 0) return []
    const types = this.settings.config.types
    const quarantine = Object.entries(types)
      .filter(([, settings]) => settings.onRelease === 'quarantine')
      .map(([type, settings]) => [type, settings.quarantineHours] as const)
    const result = await trx.rawQuery(
      `
      UPDATE resource_pools_resources r
      SET status = CASE WHEN q.hours IS NULL THEN 'available' ELSE 'quarantined' END,
          quarantined_until = CASE WHEN q.hours IS NULL THEN NULL
                                   ELSE ?::timestamptz + make_interval(hours => q.hours) END,
          license_id = NULL, allocated_at = NULL, updated_at = ?
      FROM resource_pools_resources old
      LEFT JOIN unnest(?::text[], ?::int[]) AS q(type, hours) ON q.type = old.type
      WHERE r.id = old.id AND r.id = ANY(?::bigint[]) AND r.status = 'allocated'
      RETURNING r.id, r.type, r.value, r.status, r.quarantined_until
      `,
      [
        now.toJSDate(),
        now.toJSDate(),
        quarantine.map(([type]) => type),
        quarantine.map(([, hours]) => hours),
        ids,
      ]
    )
    const rows = (result.rows as { id: string; type: string; value: string; status: string }[]).map(
      (row) => ({ ...row, id: Number(row.id) })
    )
    const licenseOf = typeof license === 'function' ? license : () => license
    await recordHistory(
      trx,
      actor,
      now,
      rows.flatMap((row) => {
        const entries: HistoryEntry[] = [
          {
            resourceId: row.id,
            action: 'released',
            license: licenseOf(row.id),
            reason,
          },
        ]
        if (row.status === 'quarantined') {
          entries.push({
            resourceId: row.id,
            action: 'quarantined',
            license: licenseOf(row.id),
            reason,
          })
        }
        return entries
      })
    )
    return rows
  }

  /**
   * Releases the license's resources (all, or the one given).
   *
   * @returns the released resources with the status each went to
   */
  async release(
    licenseId: number,
    actor: Actor,
    options: { resourceId?: number; reason?: string | null; client?: Client } = {}
  ) {
    const now = this.clock.now()
    return inTransaction(options.client, async (trx) => {
      const license = await this.lockLicense(trx, licenseId)
      const held = await trx
        .from('resource_pools_resources')
        .where({ license_id: license.id, status: 'allocated' })
        .if(options.resourceId !== undefined, (query) => query.where('id', options.resourceId!))
        .select('id')
      if (options.resourceId !== undefined && held.length === 0) {
        throw new DomainError('not_held', { messageKey: 'resource_pools.errors.not_held' })
      }
      const released = await this.giveBack(
        trx,
        held.map((row) => Number(row.id)),
        actor,
        now,
        { id: license.id, key: license.key },
        options.reason ?? null
      )
      if (released.length > 0) {
        await this.audit.record(trx, actor, {
          action: 'resource_pools.released',
          subjectType: 'license',
          subjectId: license.id,
          after: {
            resources: released.map((row) => `${row.type}:${row.value}`),
            reason: options.reason ?? null,
          },
        })
      }
      return released
    })
  }

  /**
   * Replaces one of the license's resources by a free one of its type (a
   * burned IP address), from its pool if that has one: the old one goes to
   * quarantine (or back, as its type says), or is retired; both keep the
   * swap in their history.
   *
   * @throws DomainError `not_held`, or `none_free` when the pool has no free resource of the type
   */
  async swap(
    licenseId: number,
    resourceId: number,
    actor: Actor,
    options: { retire?: boolean; reason?: string | null; client?: Client } = {}
  ) {
    const now = this.clock.now()
    return inTransaction(options.client, async (trx) => {
      const license = await this.lockLicense(trx, licenseId)
      const old = await trx
        .from('resource_pools_resources')
        .where({ id: resourceId, license_id: license.id, status: 'allocated' })
        .forUpdate()
        .first()
      if (!old) throw new DomainError('not_held', { messageKey: 'resource_pools.errors.not_held' })
      // One of the same pool (provider, region) when there is one, else any.
      let taken = old.pool
        ? await this.takeAllOrNothing(trx, license, [[old.type, 1]], old.pool, now)
        : null
      if (!taken?.ok) taken = await this.takeAllOrNothing(trx, license, [[old.type, 1]], null, now)
      if (!taken.ok) {
        throw new DomainError('none_free', {
          messageKey: 'resource_pools.errors.none_free',
          data: { type: old.type },
        })
      }
      const replacement = taken.taken[0]
      const reason = options.reason ?? null
      const ref = { id: license.id, key: license.key }
      let outcome: string
      if (options.retire) {
        await trx.from('resource_pools_resources').where('id', old.id).update({
          status: 'retired',
          license_id: null,
          allocated_at: null,
          updated_at: now.toJSDate(),
        })
        await recordHistory(trx, actor, now, [
          {
            resourceId: Number(old.id),
            action: 'swapped_out',
            license: ref,
            otherResourceId: replacement.id,
            reason,
          },
          { resourceId: Number(old.id), action: 'retired', license: ref, reason },
        ])
        outcome = 'retired'
      } else {
        // giveBack writes `released` (and `quarantined`); the swap is told first.
        await recordHistory(trx, actor, now, [
          {
            resourceId: Number(old.id),
            action: 'swapped_out',
            license: ref,
            otherResourceId: replacement.id,
            reason,
          },
        ])
        const [back] = await this.giveBack(trx, [Number(old.id)], actor, now, ref, reason)
        outcome = back.status
      }
      await recordHistory(trx, actor, now, [
        {
          resourceId: replacement.id,
          action: 'swapped_in',
          license: ref,
          otherResourceId: Number(old.id),
          reason,
        },
      ])
      await this.audit.record(trx, actor, {
        action: 'resource_pools.swapped',
        subjectType: 'license',
        subjectId: license.id,
        before: { resource: `${old.type}:${old.value}` },
        after: {
          resource: `${replacement.type}:${replacement.value}`,
          old_status: outcome,
          reason,
        },
      })
      return {
        old: {
          id: Number(old.id),
          type: old.type as string,
          value: old.value as string,
          status: outcome,
        },
        replacement,
      }
    })
  }

  /**
   * A client's report that one of its license's resources does not work:
   * the resource is flagged for the admin and, when the settings say
   * `replace`, swapped for a free one at once (if the pool has one).
   *
   * @returns null when the license holds no such resource
   */
  async report(
    licenseId: number,
    type: string,
    value: string,
    reason: string | null,
    actor: Actor
  ) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.lockLicense(trx, licenseId)
      const resource = await trx
        .from('resource_pools_resources')
        .where({ license_id: license.id, status: 'allocated', type, value })
        .forUpdate()
        .first()
      if (!resource) return null
      await trx
        .from('resource_pools_resources')
        .where('id', resource.id)
        .update({ flagged_at: now.toJSDate(), flag_reason: reason, updated_at: now.toJSDate() })
      await recordHistory(trx, actor, now, [
        {
          resourceId: Number(resource.id),
          action: 'reported',
          license: { id: license.id, key: license.key },
          reason,
        },
      ])
      await this.audit.record(trx, actor, {
        action: 'resource_pools.reported',
        subjectType: 'license',
        subjectId: license.id,
        after: { resource: `${type}:${value}`, reason },
      })
      let replacement: { type: string; value: string } | null = null
      if (this.settings.config.onReport === 'replace') {
        try {
          const swapped = await this.swap(license.id, Number(resource.id), actor, {
            reason: reason ?? 'reported by the client',
            client: trx,
          })
          replacement = { type: swapped.replacement.type, value: swapped.replacement.value }
        } catch (error) {
          // No free one: the flag stays for the admin, the client keeps what it has.
          if (!(error instanceof DomainError) || error.code !== 'none_free') throw error
        }
      }
      return {
        replaced: replacement !== null,
        replacement,
        resources: await this.clientView(license.id, trx),
      }
    })
  }

  /** An admin clears a client's flag (the resource works after all). */
  async clearFlag(resourceId: number, actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const cleared = await trx
        .from('resource_pools_resources')
        .where('id', resourceId)
        .whereNotNull('flagged_at')
        .update({ flagged_at: null, flag_reason: null, updated_at: now.toJSDate() })
        .returning(['id', 'license_id'])
      if (cleared.length === 0) return false
      await recordHistory(trx, actor, now, [{ resourceId, action: 'flag_cleared', license: null }])
      await this.audit.record(trx, actor, {
        action: 'resource_pools.flag_cleared',
        subjectType: 'resource',
        subjectId: resourceId,
      })
      return true
    })
  }

  /**
   * Sets the license's own counts per type; null for a type makes it follow
   * its template again.
   */
  async setNeeds(licenseId: number, counts: Record<string, number | null>, actor: Actor) {
    return db.transaction(async (trx) => {
      const license = await this.lockLicense(trx, licenseId)
      const before = await this.ownNeedsOf(license.id)
      await trx.from('resource_pools_license_needs').where('license_id', license.id).delete()
      const rows = Object.entries(counts)
        .filter(([type, count]) => count !== null && this.settings.typeOf(type))
        .map(([type, count]) => ({ license_id: license.id, type, count }))
      if (rows.length > 0) await trx.table('resource_pools_license_needs').multiInsert(rows)
      await this.audit.record(trx, actor, {
        action: 'resource_pools.needs_changed',
        subjectType: 'license',
        subjectId: license.id,
        before: { needs: before },
        after: { needs: counts },
      })
    })
  }

  /** Sets a template's counts per type (0 or absent: none). */
  async setTemplateNeeds(templateId: number, counts: Record<string, number>, actor: Actor) {
    return db.transaction(async (trx) => {
      const template = await trx
        .from('license_templates')
        .where('id', templateId)
        .forUpdate()
        .first()
      if (!template)
        throw new DomainError('template_not_found', {
          messageKey: 'resource_pools.errors.template_not_found',
        })
      const before = await trx
        .from('resource_pools_template_needs')
        .where('template_id', templateId)
      await trx.from('resource_pools_template_needs').where('template_id', templateId).delete()
      const rows = Object.entries(counts)
        .filter(([type, count]) => count > 0 && this.settings.typeOf(type))
        .map(([type, count]) => ({ template_id: templateId, type, count }))
      if (rows.length > 0) await trx.table('resource_pools_template_needs').multiInsert(rows)
      await this.audit.record(trx, actor, {
        action: 'resource_pools.template_needs_changed',
        subjectType: 'license_template',
        subjectId: templateId,
        before: { needs: Object.fromEntries(before.map((row) => [row.type, row.count])) },
        after: { needs: Object.fromEntries(rows.map((row) => [row.type, row.count])) },
      })
    })
  }

  /**
   * Releases what revoked licenses hold, and what deleted licenses held
   * (allocated to no one since their foreign key was set null): the
   * periodic safety net under the reaction to `license:status_changed`.
   */
  async reconcile(actor: Actor) {
    const revoked = await db
      .from('resource_pools_resources as r')
      .join('licenses as l', 'l.id', 'r.license_id')
      .where('r.status', 'allocated')
      .where('l.status', 'revoked')
      .distinct('l.id')
    let released = 0
    for (const { id } of revoked) {
      const done = await this.release(Number(id), actor, { reason: 'license revoked' })
      released += done.length
    }
    const orphans = await this.releaseOrphans(actor)
    return { revoked: revoked.length, released: released + orphans }
  }

  /** Resources of deleted licenses: released with the key their history remembers. */
  protected async releaseOrphans(actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const orphans = await trx.rawQuery(
        `
        SELECT r.id, (
          SELECT e.license_key FROM resource_pools_events e
          WHERE e.resource_id = r.id AND e.action IN ('allocated', 'swapped_in')
          ORDER BY e.id DESC LIMIT 1
        ) AS license_key
        FROM resource_pools_resources r
        WHERE r.status = 'allocated' AND r.license_id IS NULL
        ORDER BY r.id
        FOR UPDATE OF r SKIP LOCKED
        `
      )
      const rows = orphans.rows as { id: string; license_key: string | null }[]
      if (rows.length === 0) return 0
      const keys = new Map(rows.map((row) => [Number(row.id), row.license_key]))
      const released = await this.giveBack(
        trx,
        [...keys.keys()],
        actor,
        now,
        (id) => ({ id: null, key: keys.get(id) ?? null }),
        'license deleted'
      )
      await this.audit.record(trx, actor, {
        action: 'resource_pools.released',
        subjectType: 'resource',
        after: {
          resources: released.map((row) => `${row.type}:${row.value}`),
          reason: 'license deleted',
        },
      })
      return released.length
    })
  }

  /** The hourly return: quarantined resources whose period has passed are free again. */
  async returnFromQuarantine(actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const returned = await trx
        .from('resource_pools_resources')
        .where('status', 'quarantined')
        .where('quarantined_until', '<=', now.toJSDate())
        .update({ status: 'available', quarantined_until: null, updated_at: now.toJSDate() })
        .returning(['id', 'type', 'value'])
      if (returned.length === 0) return 0
      await recordHistory(
        trx,
        actor,
        now,
        returned.map((row) => ({
          resourceId: Number(row.id),
          action: 'returned' as const,
          license: null,
        }))
      )
      await this.audit.record(trx, actor, {
        action: 'resource_pools.returned',
        subjectType: 'resource',
        after: { count: returned.length },
      })
      return returned.length
    })
  }
}
