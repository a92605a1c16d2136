import type { ApplicationService } from '@adonisjs/core/types'
import db from '@adonisjs/lucid/services/db'
import { CustomerLinksRegistry } from '#services/customer_links'

export default class LeadCrmProvider {
  constructor(protected app: ApplicationService) {}

  /** A converted customer's page links back to the institution it came from. */
  async register() {
    const links = await this.app.container.make(CustomerLinksRegistry)
    links.register(async (customerId, t) => {
      const rows = await db
        .from('lead_crm_institutions')
        .where('customer_id', customerId)
        .select('id', 'name')
      return rows.map((row) => ({
        label: t('lead_crm.converted_from', { name: row.name }),
        href: `/leads/${row.id}`,
      }))
    })
  }
}
