import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import License from '#models/license'
import LicenseTemplates from '#services/catalogue/license_templates'
import CustomerList from '#services/customer_list'
import ProductList from '#services/product_list'
import { SessionPolicyRegistry } from '#services/session_policies'

const ID = /^[1-9]\d{0,8}$/

/** What the license forms (new, edit) offer to choose from. */
@inject()
export default class LicenseForms {
  constructor(
    protected policies: SessionPolicyRegistry,
    protected customers: CustomerList,
    protected products: ProductList,
    protected templates: LicenseTemplates
  ) {}

  /**
   * The form for new licenses, for the customer asked for (`?customer_id=`)
   * when it is an id, from the template asked for (`?template_id=`, the
   * catalogue's "Issue licenses") when there is one. `batchToken` names the
   * batch the form will issue, so sending it twice issues nothing the
   * second time.
   */
  async forNew(askedCustomerId: unknown, askedTemplateId?: unknown) {
    const asked = String(askedCustomerId ?? '')
    const templates = await this.templates.all()
    const template = templates.find((row) => String(row.id) === String(askedTemplateId ?? ''))
    return {
      batchToken: randomUUID(),
      products: await this.products.all(),
      templates,
      template: template ?? null,
      policies: this.policyChoices(),
      customerId: ID.test(asked) ? asked : '',
      ...(await this.customers.choices(asked)),
    }
  }

  async forEdit(licenseId: number) {
    const license = await License.query().where('id', licenseId).preload('template').firstOrFail()
    return {
      license,
      policies: this.policyChoices(license.sessionPolicy),
      ...(await this.customers.choices(license.customerId)),
    }
  }

  /** The session policies to choose from, plus the license's own if its plugin is off. */
  protected policyChoices(current?: string | null) {
    const names = this.policies.names()
    return current && !names.includes(current) ? [...names, current] : names
  }
}
