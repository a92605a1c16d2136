import pg from 'pg'
import type { ApplicationService } from '@adonisjs/core/types'
import { LeaseKeyring } from '#services/lease_keyring'

/**
 * Application-wide setup that has no better home.
 */
export default class AppProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    /**
     * PostgreSQL returns int8 (bigserial ids, count(*)) as strings; every
     * such value here stays far below 2^53, so read them as numbers.
     */
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

    /** One keyring per process: it caches the keys and notices rotations. */
    this.app.container.singleton(LeaseKeyring, () => LeaseKeyring.fromConfig())
  }

  /**
   * View helpers of the panel: `when(date)` formats a moment the same way
   * on every page.
   */
  async boot() {
    const { default: edge } = await import('edge.js')
    const { formatMoment } = await import('#support/formatting')
    edge.global('when', formatMoment)
  }
}
