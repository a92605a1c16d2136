import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { EventsList } from '@adonisjs/core/types'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { EventActor, EventLicense } from '../../types/events.js'
import type { Actor } from '#support/actor'

/**
 * Emits a domain event (types/events.ts) without waiting for its listeners:
 * a request never gets slower or fails because someone reacts to it.
 */
export function announce<Name extends keyof EventsList>(event: Name, data: EventsList[Name]) {
  emitter.emit(event, data).catch((error) => {
    logger.error({ err: error, event }, 'a listener of a domain event failed')
  })
}

/**
 * Emits once the transaction has committed, so no listener hears of a
 * change that was rolled back. `data` is built then (after the last write).
 */
export function announceAfterCommit<Name extends keyof EventsList>(
  trx: TransactionClientContract,
  event: Name,
  data: () => EventsList[Name]
) {
  trx.after('commit', () => announce(event, data()))
}

/** An audit actor as events name it. */
export function eventActorOf(actor: Actor): EventActor {
  const kind = actor.type === 'admin' ? 'admin' : actor.type === 'api_key' ? 'client' : 'system'
  const id = actor.id === undefined || actor.id === null ? null : Number(actor.id)
  return {
    kind,
    id: Number.isFinite(id) ? id : null,
    email: actor.type === 'admin' ? (actor.label ?? null) : null,
  }
}

/** A license row (model or query row) as events name it. */
export function eventLicenseOf(license: {
  id: number
  key: string
  productId: number
  customerId: number | null
}): EventLicense {
  return {
    id: license.id,
    key: license.key,
    productId: license.productId,
    customerId: license.customerId,
  }
}
