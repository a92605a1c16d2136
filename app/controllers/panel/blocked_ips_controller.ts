import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import BlockedIp from '#models/blocked_ip'
import AuditTrail from '#services/audit_trail'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import { blockedIpValidator } from '#validators/panel_auth'

/**
 * The addresses and networks refused at the panel's door.
 */
export default class BlockedIpsController {
  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['network', 'created_at'] as const,
      defaultSort: 'created_at',
    })
    const query = BlockedIp.query().orderBy(list.sort, list.dir).orderBy('id')
    if (list.q) {
      query.where((where) =>
        where
          .whereRaw('network::text ILIKE ?', [likePattern(list.q)])
          .orWhereILike('reason', likePattern(list.q))
      )
    }
    return view.render('pages/blocked_ips/index', {
      list,
      page: await paginate(query, list),
      yourIp: request.ip(),
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const input = await request.validateUsing(blockedIpValidator)
    // PostgreSQL decides what a valid network is, and whether it holds the
    // admin's own address (blocking yourself out is refused).
    const [check] = await db
      .rawQuery<{
        rows: { network: string; own: boolean }[]
      }>(`SELECT network(?::inet)::text AS network, ?::inet <<= network(?::inet) AS own`, [
        input.network,
        request.ip(),
        input.network,
      ])
      .then((result) => result.rows)
      .catch(() => [undefined])
    if (!check) {
      session.flashAll()
      session.flashErrors({ network: i18n.t('panel.blocked_ips.invalid') })
      return response.redirect('/admin/blocked-ips')
    }
    if (check.own) {
      session.flashAll()
      session.flashErrors({ network: i18n.t('panel.blocked_ips.own_address') })
      return response.redirect('/admin/blocked-ips')
    }
    const created = await db.transaction(async (trx) => {
      const exists = await trx.from('blocked_ips').where('network', check.network).first()
      if (exists) return null
      const row = await BlockedIp.create(
        {
          network: check.network,
          reason: input.reason ?? null,
          createdBy: ctx.auth.user?.email ?? null,
        },
        { client: trx }
      )
      await AuditTrail.record(trx, adminActor(ctx), {
        action: 'blocked_ip.created',
        subjectType: 'blocked_ip',
        subjectId: row.id,
        after: { network: row.network, reason: row.reason },
      })
      return row
    })
    session.flash(
      created ? 'success' : 'error',
      i18n.t(created ? 'panel.blocked_ips.created' : 'panel.blocked_ips.exists')
    )
    return response.redirect('/admin/blocked-ips')
  }

  async destroy(ctx: HttpContext) {
    const row = await BlockedIp.findOrFail(ctx.params.id)
    await db.transaction(async (trx) => {
      await trx.from('blocked_ips').where('id', row.id).delete()
      await AuditTrail.record(trx, adminActor(ctx), {
        action: 'blocked_ip.deleted',
        subjectType: 'blocked_ip',
        subjectId: row.id,
        before: { network: row.network, reason: row.reason },
      })
    })
    ctx.session.flash('success', ctx.i18n.t('panel.blocked_ips.deleted'))
    return ctx.response.redirect('/admin/blocked-ips')
  }
}
