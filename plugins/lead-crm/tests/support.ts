import app from '@adonisjs/core/services/app'
import { cliActor } from '#plugin_host/api'
import { unique } from '#tests/support/fixtures'
import InstitutionService, { type InstitutionFields } from '../services/institution_service.js'
import ContactService, { type ContactFields } from '../services/contact_service.js'

/** An institution made through the service (audited like the panel's). */
export async function createInstitution(
  fields: Partial<InstitutionFields> = {},
  contacts: Partial<ContactFields>[] = []
) {
  const actor = cliActor('tests')
  const [institutions, contactService] = await Promise.all([
    app.container.make(InstitutionService),
    app.container.make(ContactService),
  ])
  const id = await institutions.create(
    {
      name: unique('Institution'),
      type: null,
      address: null,
      website: null,
      status: 'new',
      owner_id: null,
      tags: [],
      ...fields,
    },
    actor
  )
  for (const contact of contacts) {
    await contactService.create(
      id,
      { name: unique('Contact'), role: null, email: null, phone: null, ...contact },
      actor
    )
  }
  return id
}

/** The form fields of an institution, as the panel posts them. */
export function institutionForm(fields: Record<string, string | number | (string | number)[]>) {
  return { status: 'new', ...fields }
}
