import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AuditTrail, adminIdOf, type Actor } from '#plugin_host/api'

/**
 * Notes keep every text they ever had: a change, or bringing back an
 * earlier text, adds a version; nothing is overwritten.
 */
@inject()
export default class NoteService {
  constructor(protected audit: AuditTrail) {}

  async create(institutionId: number, body: string, actor: Actor) {
    return db.transaction(async (trx) => {
      const [note] = await trx
        .table('lead_crm_notes')
        .insert({ institution_id: institutionId, body, version: 1 })
        .returning(['id'])
      await this.addVersion(trx, note.id, 1, body, actor, null)
      await this.audit.record(trx, actor, {
        action: 'lead.note_created',
        subjectType: 'lead_institution',
        subjectId: institutionId,
        after: { note_id: note.id, version: 1, body },
      })
      return note.id as number
    })
  }

  /**
   * A new text for a note, as its next version. The same text again
   * changes nothing.
   *
   * @returns the note's version after the change, or null when the note
   * does not belong to the institution.
   */
  async update(institutionId: number, noteId: number, body: string, actor: Actor) {
    return db.transaction(async (trx) => {
      const note = await this.lock(trx, institutionId, noteId)
      if (!note) return null
      if (note.body === body) return note.version as number
      return this.write(trx, note, body, actor, null, 'lead.note_updated')
    })
  }

  /** Brings back an earlier version's text as the note's newest version. */
  async restore(institutionId: number, noteId: number, version: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const note = await this.lock(trx, institutionId, noteId)
      if (!note) return null
      const earlier = await trx
        .from('lead_crm_note_versions')
        .where({ note_id: noteId, version })
        .first()
      if (!earlier) return null
      if (earlier.body === note.body) return note.version as number
      return this.write(trx, note, earlier.body, actor, version, 'lead.note_restored')
    })
  }

  async destroy(institutionId: number, noteId: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const note = await this.lock(trx, institutionId, noteId)
      if (!note) return false
      await trx.from('lead_crm_notes').where('id', noteId).delete()
      await this.audit.record(trx, actor, {
        action: 'lead.note_deleted',
        subjectType: 'lead_institution',
        subjectId: institutionId,
        before: { note_id: noteId, version: note.version, body: note.body },
      })
      return true
    })
  }

  protected lock(trx: TransactionClientContract, institutionId: number, noteId: number) {
    return trx
      .from('lead_crm_notes')
      .where({ id: noteId, institution_id: institutionId })
      .forUpdate()
      .first()
  }

  protected async write(
    trx: TransactionClientContract,
    note: { id: number; institution_id: number; version: number; body: string },
    body: string,
    actor: Actor,
    restoredFrom: number | null,
    action: string
  ) {
    const version = note.version + 1
    await trx
      .from('lead_crm_notes')
      .where('id', note.id)
      .update({ body, version, updated_at: new Date() })
    await this.addVersion(trx, note.id, version, body, actor, restoredFrom)
    await this.audit.record(trx, actor, {
      action,
      subjectType: 'lead_institution',
      subjectId: note.institution_id,
      before: { note_id: note.id, version: note.version, body: note.body },
      after: {
        note_id: note.id,
        version,
        body,
        ...(restoredFrom ? { restored_from: restoredFrom } : {}),
      },
    })
    return version
  }

  protected async addVersion(
    trx: TransactionClientContract,
    noteId: number,
    version: number,
    body: string,
    actor: Actor,
    restoredFrom: number | null
  ) {
    await trx.table('lead_crm_note_versions').insert({
      note_id: noteId,
      version,
      body,
      restored_from: restoredFrom,
      author_id: adminIdOf(actor),
      author_label: actor.label ?? null,
    })
  }
}
