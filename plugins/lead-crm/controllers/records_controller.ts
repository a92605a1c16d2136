import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor } from '#plugin_host/api'
import ContactService from '../services/contact_service.js'
import LeadQueries from '../services/lead_queries.js'
import NoteService from '../services/note_service.js'
import { contactValidator, noteValidator, restoreValidator } from '../validators.js'

const notFound = () => new lucidErrors.E_ROW_NOT_FOUND()

/** An institution's page, at one of its sections (`#contacts`, `#notes`). */
const institutionPage = (id: number, section: string) =>
  `${urlFor('admin.leads.show', { id })}#${section}`

/** An institution's contacts and notes (with their versions). */
@inject()
export default class RecordsController {
  constructor(
    protected contacts: ContactService,
    protected notes: NoteService,
    protected queries: LeadQueries
  ) {}

  async storeContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const form = await ctx.request.validateUsing(contactValidator)
    await this.contacts.create(institutionId, this.contactFields(form), adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_saved'))
    return ctx.response.redirect(institutionPage(institutionId, 'contacts'))
  }

  async updateContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const form = await ctx.request.validateUsing(contactValidator)
    const changed = await this.contacts.update(
      institutionId,
      Number(ctx.params.contact),
      this.contactFields(form),
      adminActor(ctx)
    )
    if (changed === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_saved'))
    return ctx.response.redirect(institutionPage(institutionId, 'contacts'))
  }

  async destroyContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const deleted = await this.contacts.destroy(
      institutionId,
      Number(ctx.params.contact),
      adminActor(ctx)
    )
    if (!deleted) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_deleted'))
    return ctx.response.redirect(institutionPage(institutionId, 'contacts'))
  }

  async storeNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { body } = await ctx.request.validateUsing(noteValidator)
    await this.notes.create(institutionId, body, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_saved'))
    return ctx.response.redirect(institutionPage(institutionId, 'notes'))
  }

  async updateNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { body } = await ctx.request.validateUsing(noteValidator)
    const version = await this.notes.update(
      institutionId,
      Number(ctx.params.note),
      body,
      adminActor(ctx)
    )
    if (version === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_saved'))
    return ctx.response.redirect(institutionPage(institutionId, 'notes'))
  }

  /** Every version of a note, newest first, each restorable. */
  async noteHistory({ view, params }: HttpContext) {
    return view.render(
      'lead-crm::note_history',
      await this.queries.noteHistory(params.id, params.note)
    )
  }

  async restoreNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { version } = await ctx.request.validateUsing(restoreValidator)
    const current = await this.notes.restore(
      institutionId,
      Number(ctx.params.note),
      version,
      adminActor(ctx)
    )
    if (current === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_restored', { version }))
    return ctx.response
      .redirect()
      .toRoute('admin.leads.notes_history', { id: institutionId, note: ctx.params.note })
  }

  async destroyNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const deleted = await this.notes.destroy(
      institutionId,
      Number(ctx.params.note),
      adminActor(ctx)
    )
    if (!deleted) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_deleted'))
    return ctx.response.redirect(institutionPage(institutionId, 'notes'))
  }

  protected contactFields(form: Awaited<ReturnType<typeof contactValidator.validate>>) {
    return {
      name: form.name,
      role: form.role ?? null,
      email: form.email ?? null,
      phone: form.phone ?? null,
    }
  }

  protected institutionId({ params }: HttpContext) {
    return this.queries.existingId(params.id)
  }
}
