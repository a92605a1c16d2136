import type { ApplicationService } from '@adonisjs/core/types'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { PanelExtensions } from '#plugin_host/api'
import LeadQueries from './services/lead_queries.js'
import LeadStats from './services/lead_stats.js'

export default class LeadCrmProvider {
  constructor(protected app: ApplicationService) {}

  /**
   * A converted customer's page links back to the institution it came
   * from; the dashboard gets a card with the pipeline's figures.
   */
  async boot() {
    const extensions = await this.app.container.make(PanelExtensions)
    extensions.addCustomerLinks(async (customerId, t) => {
      const queries = await this.app.container.make(LeadQueries)
      const rows = await queries.convertedInto(customerId)
      return rows.map((row) => ({
        label: t('lead_crm.converted_from', { name: row.name }),
        href: urlFor('admin.leads.show', { id: row.id }),
      }))
    })
    extensions.addDashboardCard(async (t) => {
      const leadStats = await this.app.container.make(LeadStats)
      const stats = await leadStats.figures()
      const open = stats.by_status.new + stats.by_status.contacted + stats.by_status.qualified
      return {
        id: 'lead-crm',
        title: t('lead_crm.nav'),
        href: urlFor('admin.leads.stats'),
        figures: [
          { label: t('lead_crm.open_leads'), value: open },
          { label: t('lead_crm.statuses.won'), value: stats.by_status.won },
          { label: t('lead_crm.won_this_month'), value: stats.conversions.at(-1)?.count ?? 0 },
        ],
      }
    })
  }
}
