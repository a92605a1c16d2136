import type { ApplicationService } from '@adonisjs/core/types'
import db from '@adonisjs/lucid/services/db'
import { PanelExtensions } from '#services/panel_extensions'
import { leadStats } from './services/lead_stats.js'

export default class LeadCrmProvider {
  constructor(protected app: ApplicationService) {}

  /**
   * A converted customer's page links back to the institution it came
   * from; the dashboard gets a card with the pipeline's figures.
   */
  async register() {
    const extensions = await this.app.container.make(PanelExtensions)
    extensions.addCustomerLinks(async (customerId, t) => {
      const rows = await db
        .from('lead_crm_institutions')
        .where('customer_id', customerId)
        .select('id', 'name')
      return rows.map((row) => ({
        label: t('lead_crm.converted_from', { name: row.name }),
        href: `/leads/${row.id}`,
      }))
    })
    extensions.addDashboardCard(async (t) => {
      const stats = await leadStats()
      const open = stats.by_status.new + stats.by_status.contacted + stats.by_status.qualified
      return {
        id: 'lead-crm',
        title: t('lead_crm.nav'),
        href: '/leads/stats',
        figures: [
          { label: t('lead_crm.open_leads'), value: open },
          { label: t('lead_crm.statuses.won'), value: stats.by_status.won },
          { label: t('lead_crm.won_this_month'), value: stats.conversions.at(-1)?.count ?? 0 },
        ],
      }
    })
  }
}
