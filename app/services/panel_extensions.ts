/**
 * Extension points of the panel's core pages: plugins add links to a
 * customer's page (the lead CRM links a customer to the institution it
 * came from) and cards to the dashboard, from their providers.
 */
export type Translate = (key: string, data?: Record<string, unknown>) => string

export interface PanelLink {
  /** Translated text, as the page shows it. */
  label: string
  href: string
}

export interface DashboardCard {
  /** Names the card in the page (`data-card`), e.g. the plugin's name. */
  id: string
  title: string
  href: string
  figures: { label: string; value: number | string }[]
}

export type CustomerLinkSource = (customerId: number, t: Translate) => Promise<PanelLink[]>
export type DashboardCardSource = (t: Translate) => Promise<DashboardCard>

export class PanelExtensions {
  readonly #customerLinks: CustomerLinkSource[] = []
  readonly #dashboardCards: DashboardCardSource[] = []

  addCustomerLinks(source: CustomerLinkSource) {
    this.#customerLinks.push(source)
  }

  addDashboardCard(source: DashboardCardSource) {
    this.#dashboardCards.push(source)
  }

  async customerLinks(customerId: number, t: Translate): Promise<PanelLink[]> {
    const lists = await Promise.all(this.#customerLinks.map((source) => source(customerId, t)))
    return lists.flat()
  }

  async dashboardCards(t: Translate): Promise<DashboardCard[]> {
    return Promise.all(this.#dashboardCards.map((source) => source(t)))
  }
}
