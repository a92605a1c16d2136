/**
 * The extension point for links on a customer's panel page: a plugin that
 * keeps records about customers (the lead CRM's institutions) registers a
 * source, and the page lists what each source returns.
 */
export interface CustomerLink {
  /** Translated text, as the page shows it. */
  label: string
  href: string
}

export type CustomerLinkSource = (
  customerId: number,
  t: (key: string, data?: Record<string, unknown>) => string
) => Promise<CustomerLink[]>

export class CustomerLinksRegistry {
  readonly #sources: CustomerLinkSource[] = []

  register(source: CustomerLinkSource) {
    this.#sources.push(source)
  }

  async linksFor(
    customerId: number,
    t: (key: string, data?: Record<string, unknown>) => string
  ): Promise<CustomerLink[]> {
    const lists = await Promise.all(this.#sources.map((source) => source(customerId, t)))
    return lists.flat()
  }
}
