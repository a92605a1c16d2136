import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Customer from '#models/customer'
import AuditTrail from '#services/audit_trail'
import { DomainError } from '#exceptions/domain_error'
import { licenseExpiredSql, licenseUsableSql } from '#rules/license_usable'
import { whereSessionLive } from '#rules/session_live'
import type { Actor } from '#support/actor'
import { inTransaction } from '#support/transaction'

export type CustomerInput = {
  name: string
  email?: string | null
  company?: string | null
  notes?: string | null
}

/** Another customer has this email: a refusal shown beside the email field. */
const emailTaken = () =>
  new DomainError('email_taken', { field: 'email', messageKey: 'customers.email_taken' })

/** A customer's figures for their page. */
export type CustomerFigures = {
  licenses: { total: number; active: number; expired: number; suspended: number; revoked: number }
  /** Active devices over all their licenses. */
  devices: number
  /** Sessions live right now over all their licenses. */
  online: number
}

const view = (customer: Customer) => ({
  name: customer.name,
  email: customer.email,
  company: customer.company,
  notes: customer.notes,
})

/** A unique-index violation on the customer's email. */
const isEmailTaken = (error: unknown) =>
  (error as { constraint?: string })?.constraint === 'customers_email_unique'

/**
 * Creating, changing and deleting customers, each with its audit row. The
 * database decides email uniqueness (case-insensitive unique index), so two
 * admins saving at once cannot both win; the loser gets the `DomainError`
 * `email_taken`.
 */
@inject()
export default class CustomerService {
  constructor(protected audit: AuditTrail) {}

  /** The customer by id. @throws E_ROW_NOT_FOUND (a 404 page) when there is none. */
  find(id: number | string) {
    return Customer.findOrFail(id)
  }

  /**
   * Creates a customer, in the caller's transaction when given (a plugin
   * that creates one as part of a larger change).
   */
  async create(input: CustomerInput, actor: Actor, client?: TransactionClientContract) {
    try {
      return await inTransaction(client, (trx) => this.insert(trx, input, actor))
    } catch (error) {
      if (isEmailTaken(error)) throw emailTaken()
      throw error
    }
  }

  protected async insert(trx: TransactionClientContract, input: CustomerInput, actor: Actor) {
    const customer = await Customer.create(
      {
        name: input.name,
        email: input.email ?? null,
        company: input.company ?? null,
        notes: input.notes ?? null,
      },
      { client: trx }
    )
    await this.audit.record(trx, actor, {
      action: 'customer.created',
      subjectType: 'customer',
      subjectId: customer.id,
      after: view(customer),
    })
    return customer
  }

  async update(customer: Customer, input: CustomerInput, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const before = view(customer)
        customer.useTransaction(trx)
        customer.merge({
          name: input.name,
          email: input.email ?? null,
          company: input.company ?? null,
          notes: input.notes ?? null,
        })
        if (!customer.$isDirty) return customer
        await customer.save()
        await this.audit.record(trx, actor, {
          action: 'customer.updated',
          subjectType: 'customer',
          subjectId: customer.id,
          before,
          after: view(customer),
        })
        return customer
      })
    } catch (error) {
      if (isEmailTaken(error)) throw emailTaken()
      throw error
    }
  }

  /**
   * Deletes a customer. Their licenses stay, without a customer (the
   * foreign key is ON DELETE SET NULL); the audit row lists which ones, so
   * the link can be traced (and restored) later.
   */
  async delete(customer: Customer, actor: Actor) {
    return db.transaction(async (trx) => {
      const licenses: { id: number }[] = await trx
        .from('licenses')
        .where('customer_id', customer.id)
        .orderBy('id')
        .forUpdate()
        .select('id')
      await trx.from('customers').where('id', customer.id).delete()
      await this.audit.record(trx, actor, {
        action: 'customer.deleted',
        subjectType: 'customer',
        subjectId: customer.id,
        before: {
          ...view(customer),
          licenses: licenses.length,
          license_ids: licenses.map((row) => Number(row.id)),
        },
      })
      return { licenses: licenses.length }
    })
  }

  /** How many licenses (by status as it shows now), devices and sessions a customer has. */
  async figures(customerId: number, now: Date): Promise<CustomerFigures> {
    const [licenses, devices, online] = await Promise.all([
      db
        .from('licenses')
        .where('customer_id', customerId)
        .select(
          db.raw('count(*) AS total'),
          db.raw(`count(*) FILTER (WHERE ${licenseUsableSql(null)}) AS active`, { now }),
          db.raw(`count(*) FILTER (WHERE ${licenseExpiredSql(null)}) AS expired`, { now }),
          db.raw(`count(*) FILTER (WHERE status = 'suspended') AS suspended`),
          db.raw(`count(*) FILTER (WHERE status = 'revoked') AS revoked`)
        )
        .firstOrFail(),
      db
        .from('devices as d')
        .join('licenses as l', 'l.id', 'd.license_id')
        .where('l.customer_id', customerId)
        .where('d.active', true)
        .count('* as n')
        .firstOrFail(),
      whereSessionLive(
        db
          .from('license_sessions as s')
          .join('licenses as l', 'l.id', 's.license_id')
          .where('l.customer_id', customerId),
        's',
        now
      )
        .count('* as n')
        .firstOrFail(),
    ])
    return {
      licenses: {
        total: Number(licenses.total),
        active: Number(licenses.active),
        expired: Number(licenses.expired),
        suspended: Number(licenses.suspended),
        revoked: Number(licenses.revoked),
      },
      devices: Number(devices.n),
      online: Number(online.n),
    }
  }
}
