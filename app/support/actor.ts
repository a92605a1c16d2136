import type { ActorType } from '#models/audit_log'

/**
 * Who makes a change, as the audit log records it: an admin in the panel, a
 * client program through an API key, a self-hoster at the command line, or
 * the system itself (jobs).
 */
export type Actor = {
  type: ActorType
  id?: string | number | null
  label?: string | null
  ip?: string | null
}

/** The admin user's id when an admin acts, for columns that reference admin_users. */
export function adminIdOf(actor: Actor): number | null {
  return actor.type === 'admin' && actor.id ? Number(actor.id) : null
}

export const cliActor = (label = 'ace'): Actor => ({ type: 'cli', label })

/**
 * The logged-in admin of a panel request, as the audit log records them.
 */
export function adminActor(ctx: {
  auth: { user?: { id: number; email: string } }
  request: { ip(): string }
}): Actor {
  const admin = ctx.auth.user
  return { type: 'admin', id: admin?.id ?? null, label: admin?.email ?? null, ip: ctx.request.ip() }
}
