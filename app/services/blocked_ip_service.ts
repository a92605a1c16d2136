import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DomainError } from '#exceptions/domain_error'
import BlockedIp from '#models/blocked_ip'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'
import { likePattern, paginate, type ListState } from '#support/panel_list'
import { announceBlockedIpsChanged } from '#services/security/blocked_ip_cache'

/**
 * The addresses and networks refused at the panel's door and by the client
 * API (`403 IP_BLOCKED`): listing, blocking and unblocking them, each change
 * with its audit row. After each change every process is told to reload its
 * copy of the list (BlockedIpCache).
 */
@inject()
export default class BlockedIpService {
  constructor(protected audit: AuditTrail) {}

  async page(list: ListState) {
    const query = BlockedIp.query().orderBy(list.sort, list.dir).orderBy('id')
    if (list.q) {
      query.where((where) =>
        where
          .whereRaw('network::text ILIKE ?', [likePattern(list.q)])
          .orWhereILike('reason', likePattern(list.q))
      )
    }
    return paginate<BlockedIp>(query, list)
  }

  /**
   * Blocks a network (an address is a network of one). PostgreSQL decides
   * what a valid network is, and whether it holds the admin's own address:
   * `invalid_network` and `own_address` are refused beside the field, a
   * network already blocked is refused as `exists`. A block made by the
   * system (a detector's automatic action) has no own address (`ownIp`
   * null) to spare.
   */
  async block(
    input: { network: string; reason?: string | null; createdBy: string | null },
    ownIp: string | null,
    actor: Actor
  ) {
    const [check] = await db
      .rawQuery<{
        rows: { network: string; own: boolean }[]
      }>(`SELECT network(?::inet)::text AS network, ?::inet <<= network(?::inet) AS own`, [
        input.network,
        ownIp ?? '0.0.0.0/32',
        input.network,
      ])
      .then((result) => result.rows)
      .catch(() => [undefined])
    if (!check) {
      throw new DomainError('invalid_network', {
        field: 'network',
        messageKey: 'panel.blocked_ips.invalid',
      })
    }
    if (check.own && ownIp !== null) {
      throw new DomainError('own_address', {
        field: 'network',
        messageKey: 'panel.blocked_ips.own_address',
      })
    }
    const blocked = await db.transaction(async (trx) => {
      const exists = await trx.from('blocked_ips').where('network', check.network).first()
      if (exists) throw new DomainError('exists', { messageKey: 'panel.blocked_ips.exists' })
      const row = await BlockedIp.create(
        { network: check.network, reason: input.reason ?? null, createdBy: input.createdBy },
        { client: trx }
      )
      await this.audit.record(trx, actor, {
        action: 'blocked_ip.created',
        subjectType: 'blocked_ip',
        subjectId: row.id,
        after: { network: row.network, reason: row.reason },
      })
      return row
    })
    await announceBlockedIpsChanged()
    return blocked
  }

  /** Unblocks one entry (404 when there is none). */
  async unblock(id: number | string, actor: Actor) {
    const row = await BlockedIp.findOrFail(id)
    await db.transaction(async (trx) => {
      await trx.from('blocked_ips').where('id', row.id).delete()
      await this.audit.record(trx, actor, {
        action: 'blocked_ip.deleted',
        subjectType: 'blocked_ip',
        subjectId: row.id,
        before: { network: row.network, reason: row.reason },
      })
    })
    await announceBlockedIpsChanged()
  }
}
