import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor } from '#support/actor'
import ContactService from '../services/contact_service.js'
import NoteService from '../services/note_service.js'
import { contactValidator, noteValidator, restoreValidator } from '../validators.js'

const notFound = () => new lucidErrors.E_ROW_NOT_FOUND()

/** An institution's contacts and notes (with their versions). */
export default class RecordsController {
  async storeContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const form = await ctx.request.validateUsing(contactValidator)
    await ContactService.create(institutionId, this.contactFields(form), adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_saved'))
    return ctx.response.redirect(`/leads/${institutionId}#contacts`)
  }

  async updateContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const form = await ctx.request.validateUsing(contactValidator)
    const changed = await ContactService.update(
      institutionId,
      Number(ctx.params.contact),
      this.contactFields(form),
      adminActor(ctx)
    )
    if (changed === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_saved'))
    return ctx.response.redirect(`/leads/${institutionId}#contacts`)
  }

  async destroyContact(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const deleted = await ContactService.destroy(
      institutionId,
      Number(ctx.params.contact),
      adminActor(ctx)
    )
    if (!deleted) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.contact_deleted'))
    return ctx.response.redirect(`/leads/${institutionId}#contacts`)
  }

  async storeNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { body } = await ctx.request.validateUsing(noteValidator)
    await NoteService.create(institutionId, body, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_saved'))
    return ctx.response.redirect(`/leads/${institutionId}#notes`)
  }

  async updateNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { body } = await ctx.request.validateUsing(noteValidator)
    const version = await NoteService.update(
      institutionId,
      Number(ctx.params.note),
      body,
      adminActor(ctx)
    )
    if (version === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_saved'))
    return ctx.response.redirect(`/leads/${institutionId}#notes`)
  }

  /** Every version of a note, newest first, each restorable. */
  async noteHistory({ view, params }: HttpContext) {
    const institutionId = await this.institutionId({ params } as HttpContext)
    const note = await db
      .from('lead_crm_notes')
      .where({ id: Number(params.note), institution_id: institutionId })
      .first()
    if (!note) throw notFound()
    const institution = await db.from('lead_crm_institutions').where('id', institutionId).first()
    const versions = await db
      .from('lead_crm_note_versions')
      .where('note_id', note.id)
      .orderBy('version', 'desc')
    return view.render('lead-crm::note_history', { institution, note, versions })
  }

  async restoreNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const { version } = await ctx.request.validateUsing(restoreValidator)
    const current = await NoteService.restore(
      institutionId,
      Number(ctx.params.note),
      version,
      adminActor(ctx)
    )
    if (current === null) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_restored', { version }))
    return ctx.response.redirect(`/leads/${institutionId}/notes/${ctx.params.note}`)
  }

  async destroyNote(ctx: HttpContext) {
    const institutionId = await this.institutionId(ctx)
    const deleted = await NoteService.destroy(
      institutionId,
      Number(ctx.params.note),
      adminActor(ctx)
    )
    if (!deleted) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.note_deleted'))
    return ctx.response.redirect(`/leads/${institutionId}#notes`)
  }

  protected contactFields(form: Awaited<ReturnType<typeof contactValidator.validate>>) {
    return {
      name: form.name,
      role: form.role ?? null,
      email: form.email ?? null,
      phone: form.phone ?? null,
    }
  }

  protected async institutionId({ params }: HttpContext) {
    const row = await db.from('lead_crm_institutions').where('id', Number(params.id)).first()
    if (!row) throw notFound()
    return row.id as number
  }
}
