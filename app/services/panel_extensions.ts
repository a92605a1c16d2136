/**
 * Extension points of the panel's core pages: plugins add links to a
 * customer's page (the lead CRM links a customer to the institution it
 * came from), cards to the dashboard, and cards to a license's page (the
 * resource pools show the license's resources), from their providers.
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
/** A card on a license's page; null to show none for that license. */
export type LicenseCardSource = (licenseId: number, t: Translate) => Promise<DashboardCard | null>

export class PanelExtensions {
  readonly #customerLinks: CustomerLinkSource[] = []
  readonly #dashboardCards: DashboardCardSource[] = []
  readonly #licenseCards: LicenseCardSource[] = []

  addCustomerLinks(source: CustomerLinkSource) {
    this.#customerLinks.push(source)
  }

  addDashboardCard(source: DashboardCardSource) {
    this.#dashboardCards.push(source)
  }

  addLicenseCard(source: LicenseCardSource) {
    this.#licenseCards.push(source)
  }

  async customerLinks(customerId: number, t: Translate): Promise<PanelLink[]> {
    const lists = await Promise.all(this.#customerLinks.map((source) => source(customerId, t)))
    return lists.flat()
  }

  async dashboardCards(t: Translate): Promise<DashboardCard[]> {
    return Promise.all(this.#dashboardCards.map((source) => source(t)))
  }

  async licenseCards(licenseId: number, t: Translate): Promise<DashboardCard[]> {
    const cards = await Promise.all(this.#licenseCards.map((source) => source(licenseId, t)))
    return cards.filter((card): card is DashboardCard => card !== null)
  }
}
