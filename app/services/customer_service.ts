import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'

export type CustomerInput = {
  name: string
  email?: string | null
  company?: string | null
  notes?: string | null
}

export class CustomerEmailTakenError extends Error {
  constructor() {
    super('Another customer has this email')
  }
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
 * admins saving at once cannot both win.
 */
export default class CustomerService {
  static async create(input: CustomerInput, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const customer = await Customer.create(
          {
            name: input.name,
            email: input.email ?? null,
            company: input.company ?? null,
            notes: input.notes ?? null,
          },
          { client: trx }
        )
        await AuditTrail.record(trx, actor, {
          action: 'customer.created',
          subjectType: 'customer',
          subjectId: customer.id,
          after: view(customer),
        })
        return customer
      })
    } catch (error) {
      if (isEmailTaken(error)) throw new CustomerEmailTakenError()
      throw error
    }
  }

  static async update(customer: Customer, input: CustomerInput, actor: Actor) {
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
        await customer.save()
        await AuditTrail.record(trx, actor, {
          action: 'customer.updated',
          subjectType: 'customer',
          subjectId: customer.id,
          before,
          after: view(customer),
        })
        return customer
      })
    } catch (error) {
      if (isEmailTaken(error)) throw new CustomerEmailTakenError()
      throw error
    }
  }

  /** Deletes a customer; their licenses stay, without a customer. */
  static async delete(customer: Customer, actor: Actor) {
    await db.transaction(async (trx) => {
      const licenses = await trx.from('licenses').where('customer_id', customer.id).count('* as n')
      await trx.from('customers').where('id', customer.id).delete()
      await AuditTrail.record(trx, actor, {
        action: 'customer.deleted',
        subjectType: 'customer',
        subjectId: customer.id,
        before: { ...view(customer), licenses: Number(licenses[0].n) },
      })
    })
  }
}
