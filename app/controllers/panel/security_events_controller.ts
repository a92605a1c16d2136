import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import SecurityLists from '#services/security/security_lists'
import { SECURITY_EVENT_KINDS } from '#services/security/security_events'
import { readEventList } from '#validators/panel_security'

/** The security events, newest first, filtered by kind, product, license or address. */
@inject()
export default class SecurityEventsController {
  constructor(protected lists: SecurityLists) {}

  async index({ view, request }: HttpContext) {
    const list = await readEventList(request)
    return view.render('pages/security/events', {
      list,
      page: await this.lists.events(list),
      products: await this.lists.products(),
      kinds: SECURITY_EVENT_KINDS,
    })
  }
}
