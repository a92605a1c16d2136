import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { I18n } from '@adonisjs/i18n'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import AuditTrail from '#services/audit_trail'
import { SessionLedger } from '#services/session_ledger'
import { SessionPolicyRegistry } from '#services/session_policies'
import type { Actor } from '#support/actor'
import { Clock } from '#support/clock'
import { announceAfterCommit, eventActorOf, eventLicenseOf } from '#support/domain_events'
import { expiryFor } from '#support/license_duration'
import { licenseImportRowValidator } from '#validators/imports'
import {
  listCell,
  listItems,
  insertInChunks,
  writingRow,
  ImportRolledBack,
  INSERT_CHUNK,
  type ImportProblem,
  type ValidRow,
} from '#services/imports/csv_records'
import { CsvTransfer } from '#services/imports/csv_transfer'

/** The export's columns, in order; the import reads the same. */
export const LICENSE_CSV_COLUMNS = [
  'key',
  'product',
  'template',
  'customer_id',
  'customer_email',
  'type',
  'expiry_basis',
  'status',
  'max_devices',
  'max_sessions',
  'session_policy',
  'template_overrides',
  'entitlements_granted',
  'entitlements_withdrawn',
  'meter_limits',
  'activated_at',
  'expires_at',
  'notes',
] as const

/** The license settings a template carries and a license may override (migration 0010). */
const TEMPLATE_FIELDS = ['max_devices', 'max_sessions', 'session_policy'] as const
type TemplateField = (typeof TEMPLATE_FIELDS)[number]

/** What a license without template (or a blank cell) gets, as a batch from the panel. */
const DEFAULTS = { max_devices: 1, max_sessions: 1, session_policy: null }

/** A meter limit cell item: `exports=100` or `exports=unlimited`. */
const METER_LIMIT = /^([a-z][a-z0-9_]{0,59})\s*=\s*(unlimited|\d{1,15})$/

type LicenseInput = Awaited<ReturnType<typeof licenseImportRowValidator.validate>>
type LicenseRow = ValidRow<LicenseInput>

/** The columns an import sets on every license it names; compared to decide "unchanged". */
type LicenseSettings = {
  status: string
  customer_id: number | null
  template_id: number | null
  template_overrides: string[]
  max_devices: number
  max_sessions: number
  session_policy: string | null
  notes: string | null
}

/** When a license runs: set when it is issued, never changed by an import. */
type LicenseTerms = {
  type: string
  expiry_basis: string
  activated_at: Date | null
  expires_at: Date | null
}

type PlannedLicense = {
  line: number
  key: string
  productId: number
  /** The license the key names, or null for a new one. */
  existingId: number | null
  /** The template as the plan read it, to check it is still so when the rows are written. */
  template: TemplateRow | null
  settings: LicenseSettings
  terms: LicenseTerms
  /** entitlement id → granted (true) or withdrawn (false). */
  entitlements: Map<number, boolean>
  /** meter id → limit (null = unlimited). */
  meterLimits: Map<number, number | null>
}

type TemplateRow = {
  id: number
  product_id: number
  name: string
  type: string
  expiry_basis: string
  max_devices: number
  max_sessions: number
  session_policy: string | null
}

type ExistingLicense = {
  id: number
  key: string
  product_id: number
  type: string
  expiry_basis: string
  activated_at: Date | null
  expires_at: Date | null
  max_devices: number
  session_policy: string | null
  active_devices: number
}

const sameInstant = (a: Date | null, b: Date | null) =>
  (a?.getTime() ?? null) === (b?.getTime() ?? null)

const instantOf = (cell: string | undefined) =>
  cell ? DateTime.fromISO(cell, { setZone: true }).toJSDate() : null

/** The stored row (which has more columns) against the planned settings, column by column. */
const sameSettings = (stored: LicenseSettings, planned: LicenseSettings) =>
  (Object.keys(planned) as (keyof LicenseSettings)[]).every((key) =>
    key === 'template_overrides'
      ? listCell(stored[key]) === listCell(planned[key])
      : stored[key] === planned[key]
  )

const sameMap = <K, V>(a: Map<K, V>, b: Map<K, V>) =>
  a.size === b.size && [...a].every(([key, value]) => b.has(key) && b.get(key) === value)

/** Groups rows of `table` by their product: code → id. */
function codesByProduct(rows: { id: number; product_id: number; code: string }[]) {
  const byProduct = new Map<number, Map<string, number>>()
  for (const row of rows) {
    if (!byProduct.has(row.product_id)) byProduct.set(row.product_id, new Map())
    byProduct.get(row.product_id)!.set(row.code, row.id)
  }
  return byProduct
}

/** A problem of the row being planned: its column, the message key and the message's values. */
type RowProblem = (field: string, key: string, data?: Record<string, unknown>) => void

/** The customers a file names, by id and by email (without case, as the unique index). */
class CustomerLookup {
  protected ids: Set<number>
  protected byEmail: Map<string, number>

  constructor(rows: { id: number; email: string | null }[]) {
    this.ids = new Set(rows.map((row) => row.id))
    this.byEmail = new Map(
      rows.flatMap((row) => (row.email ? [[row.email.toLowerCase(), row.id] as const] : []))
    )
  }

  hasId(id: number) {
    return this.ids.has(id)
  }

  idOfEmail(email: string) {
    return this.byEmail.get(email.toLowerCase()) ?? null
  }
}

/** The row's customer: by email, else by id; both given must be the same customer. */
function customerOf(row: LicenseRow, customers: CustomerLookup, problem: RowProblem) {
  if (row.customer_email) {
    const id = customers.idOfEmail(row.customer_email)
    if (id === null) {
      problem('customer_email', 'unknown_customer_email', { email: row.customer_email })
    } else if (row.customer_id && row.customer_id !== id) {
      problem('customer_id', 'customer_mismatch', {
        id: row.customer_id,
        email: row.customer_email,
      })
    }
    return id
  }
  if (row.customer_id && !customers.hasId(row.customer_id)) {
    problem('customer_id', 'unknown_customer_id', { id: row.customer_id })
  }
  return row.customer_id ?? null
}

/**
 * The settings a template carries, as the license has them: a blank cell
 * follows the template, a value that differs from it overrides it (and is
 * added to `template_overrides`, as a panel edit does), a field listed in
 * `template_overrides` is the license's own. Without a template, a blank
 * cell is the panel's default.
 */
function templateSettingsOf(
  row: LicenseRow,
  template: TemplateRow | undefined,
  problem: RowProblem
) {
  const overrides = new Set(listItems(row.template_overrides))
  for (const item of overrides) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(item)) {
      problem('template_overrides', 'unknown_override', {
        value: item,
        allowed: TEMPLATE_FIELDS.join(', '),
      })
    }
  }
  const settingOf = (field: TemplateField): number | string | null => {
    const given: number | string | undefined = row[field]
    if (!template) return given ?? DEFAULTS[field]
    const fromTemplate: number | string | null = template[field]
    // A listed override without a value keeps the template's number, or the default policy.
    if (overrides.has(field)) return given ?? (field === 'session_policy' ? null : fromTemplate)
    if (given !== undefined && given !== fromTemplate) {
      overrides.add(field)
      return given
    }
    return fromTemplate
  }
  const settings = {
    max_devices: settingOf('max_devices') as number,
    max_sessions: settingOf('max_sessions') as number,
    session_policy: settingOf('session_policy') as string | null,
  }
  if (settings.max_sessions > settings.max_devices) {
    problem('max_sessions', 'sessions_above_devices', { max_devices: settings.max_devices })
  }
  // After settingOf: a value that differs from the template's has added its override.
  return { ...settings, template_overrides: [...overrides].sort() }
}

/** The row's own grants (true) and withdrawals (false) of the product's entitlements, by id. */
function ownEntitlementsOf(row: LicenseRow, catalogue: Map<string, number>, problem: RowProblem) {
  const own = new Map<number, boolean>()
  for (const [column, granted] of [
    ['entitlements_granted', true],
    ['entitlements_withdrawn', false],
  ] as const) {
    for (const code of listItems(row[column])) {
      const id = catalogue.get(code)
      if (id === undefined) {
        problem(column, 'unknown_entitlement', { code, product: row.product })
      } else if (own.get(id) === !granted) {
        problem(column, 'entitlement_both', { code })
      } else {
        own.set(id, granted)
      }
    }
  }
  return own
}

/** The row's own meter limits (`code=limit`, `code=unlimited`) of the product's meters, by id. */
function ownMeterLimitsOf(row: LicenseRow, meters: Map<string, number>, problem: RowProblem) {
  const limits = new Map<number, number | null>()
  for (const item of listItems(row.meter_limits)) {
    const match = item.match(METER_LIMIT)
    const id = match ? meters.get(match[1]) : undefined
    if (!match) {
      problem('meter_limits', 'meter_limit_format', { value: item })
    } else if (id === undefined) {
      problem('meter_limits', 'unknown_meter', { code: match[1], product: row.product })
    } else if (limits.has(id)) {
      problem('meter_limits', 'meter_twice', { code: match[1] })
    } else {
      limits.set(id, match[2] === 'unlimited' ? null : Number(match[2]))
    }
  }
  return limits
}

/**
 * A new license's terms: the row's, else its template's type and expiry
 * basis; a timed license counted from creation without an expiry in the
 * file expires one term after now. The database's expiry rule
 * (`licenses_expiry_consistent`) is checked here, so it is a row problem.
 */
function newTermsOf(
  row: LicenseRow,
  template: TemplateRow | undefined,
  now: DateTime,
  problem: RowProblem
): LicenseTerms | null {
  const type = row.type ?? template?.type
  if (!type) {
    problem('type', 'type_required')
    return null
  }
  const expiryBasis =
    row.expiry_basis ?? (type === 'perpetual' ? 'creation' : (template?.expiry_basis ?? 'creation'))
  const activatedAt = instantOf(row.activated_at)
  let expiresAt = instantOf(row.expires_at)
  if (type === 'perpetual') {
    if (expiresAt) problem('expires_at', 'perpetual_expiry')
  } else if (expiryBasis === 'first_activation') {
    if ((activatedAt === null) !== (expiresAt === null)) {
      problem(activatedAt ? 'expires_at' : 'activated_at', 'activation_expiry')
    }
  } else {
    expiresAt ??= expiryFor(type, now)!.toJSDate()
  }
  return { type, expiry_basis: expiryBasis, activated_at: activatedAt, expires_at: expiresAt }
}

/** An existing license keeps its terms; a cell that says otherwise is a problem, a blank one agrees. */
function existingTermsOf(
  row: LicenseRow,
  current: ExistingLicense,
  problem: RowProblem
): LicenseTerms {
  const activatedAt = instantOf(row.activated_at)
  const expiresAt = instantOf(row.expires_at)
  if (row.type && row.type !== current.type) problem('type', 'fixed_at_issue')
  if (row.expiry_basis && row.expiry_basis !== current.expiry_basis) {
    problem('expiry_basis', 'fixed_at_issue')
  }
  if (activatedAt && !sameInstant(activatedAt, current.activated_at)) {
    problem('activated_at', 'fixed_at_issue')
  }
  if (expiresAt && !sameInstant(expiresAt, current.expires_at)) {
    problem('expires_at', 'fixed_at_issue')
  }
  return {
    type: current.type,
    expiry_basis: current.expiry_basis,
    activated_at: current.activated_at,
    expires_at: current.expires_at,
  }
}

/**
 * Licenses as CSV, out and in: each row is a whole license — product,
 * template, customer, terms, limits, its own entitlement grants and
 * withdrawals and meter limits — and the export writes what the import
 * reads, so an export imports without a change. The key decides: a key the
 * database has updates that license, any other (a legacy system's too, in
 * the form the client API takes) creates one. An empty cell is
 * the default (the template's value, or the panel's), so the file says all
 * there is about a license; a license's terms (product, type, expiry basis,
 * activation and expiry) are set when it is created and never changed by
 * an import. All rows are checked before anything is written; one problem
 * writes nothing. One audit row per import that changed something.
 */
@inject()
export default class LicenseTransfer extends CsvTransfer<LicenseInput, PlannedLicense[]> {
  protected readonly columns = LICENSE_CSV_COLUMNS
  protected readonly requiredColumns = ['key', 'product']
  protected readonly rowValidator = licenseImportRowValidator

  constructor(
    protected clock: Clock,
    protected policies: SessionPolicyRegistry,
    protected ledger: SessionLedger,
    protected audit: AuditTrail
  ) {
    super()
  }

  /** Every license (of one product, when given), oldest first, in the import's columns. */
  exportQuery(filters: { productId?: number } = {}) {
    const codes = (granted: boolean) =>
      db.raw(
        `(SELECT string_agg(e.code, '; ' ORDER BY e.code)
            FROM license_entitlements le JOIN entitlements e ON e.id = le.entitlement_id
           WHERE le.license_id = l.id AND le.granted = ?) AS entitlements_${granted ? 'granted' : 'withdrawn'}`,
        [granted]
      )
    return db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('license_templates as t', 't.id', 'l.template_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .select(
        'l.key',
        'p.slug as product',
        't.name as template',
        'l.customer_id',
        'c.email as customer_email',
        'l.type',
        'l.expiry_basis',
        'l.status',
        'l.max_devices',
        'l.max_sessions',
        'l.session_policy',
        db.raw(
          `array_to_string(ARRAY(SELECT unnest(l.template_overrides) ORDER BY 1), '; ') AS template_overrides`
        ),
        codes(true),
        codes(false),
        db.raw(
          `(SELECT string_agg(m.code || '=' || coalesce(ml."limit"::text, 'unlimited'), '; ' ORDER BY m.code)
              FROM license_meter_limits ml JOIN meters m ON m.id = ml.meter_id
             WHERE ml.license_id = l.id) AS meter_limits`
        ),
        'l.activated_at',
        'l.expires_at',
        'l.notes'
      )
      .if(filters.productId, (query) => query.where('l.product_id', filters.productId!))
      .orderBy('l.id')
  }

  /** Resolves each row against the catalogue, the customers and the licenses the keys name. */
  protected async plan(rows: LicenseRow[], problems: ImportProblem[], i18n: I18n) {
    const problem = (row: number, field: string, key: string, data: Record<string, unknown> = {}) =>
      problems.push({ row, field, message: i18n.t(`imports.problems.${key}`, data) })
    const distinct = <T>(values: (T | undefined)[]) => [
      ...new Set(values.filter((value): value is T => value !== undefined)),
    ]

    const products: { id: number; slug: string }[] = await db
      .from('products')
      .whereIn('slug', distinct(rows.map((row) => row.product)))
      .select('id', 'slug')
    const productIds = products.map((product) => product.id)
    const customerIds = distinct(rows.map((row) => row.customer_id))
    const customerEmails = distinct(rows.map((row) => row.customer_email))
    const [templates, entitlements, meters, customers, existing] = await Promise.all([
      db.from('license_templates').whereIn('product_id', productIds) as Promise<TemplateRow[]>,
      db.from('entitlements').whereIn('product_id', productIds).select('id', 'product_id', 'code'),
      db.from('meters').whereIn('product_id', productIds).select('id', 'product_id', 'code'),
      db
        .from('customers')
        .whereIn('id', customerIds)
        .orWhereRaw('lower(email) = ANY(?)', [customerEmails])
        .select('id', 'email')
        .then((found: { id: number; email: string | null }[]) => new CustomerLookup(found)),
      db
        .from('licenses as l')
        .whereIn('l.key', distinct(rows.map((row) => row.key)))
        .select(
          'l.id',
          'l.key',
          'l.product_id',
          'l.type',
          'l.expiry_basis',
          'l.activated_at',
          'l.expires_at',
          'l.max_devices',
          'l.session_policy',
          db.raw(
            '(SELECT count(*)::int FROM devices d WHERE d.license_id = l.id AND d.active) AS active_devices'
          )
        ) as Promise<ExistingLicense[]>,
    ])
    const productBySlug = new Map(products.map((product) => [product.slug, product.id]))
    const templateOf = new Map(
      templates.map((template) => [
        `${template.product_id}:${template.name.toLowerCase()}`,
        template,
      ])
    )
    const entitlementIds = codesByProduct(entitlements)
    const meterIds = codesByProduct(meters)
    const existingByKey = new Map(existing.map((license) => [license.key, license]))

    const plan: PlannedLicense[] = []
    const lineOfKey = new Map<string, number>()
    const now = this.clock.now()
    for (const row of rows) {
      const before = problems.length
      const rowProblem: RowProblem = (field, key, data) => problem(row.line, field, key, data)
      const first = lineOfKey.get(row.key)
      if (first) rowProblem('key', 'key_twice', { line: first })
      else lineOfKey.set(row.key, row.line)

      const productId = productBySlug.get(row.product)
      if (productId === undefined) {
        rowProblem('product', 'unknown_product', { slug: row.product })
        continue
      }
      const current = existingByKey.get(row.key) ?? null
      if (current && Number(current.product_id) !== productId) {
        rowProblem('product', 'fixed_at_issue')
      }
      const template = row.template
        ? templateOf.get(`${productId}:${row.template.toLowerCase()}`)
        : undefined
      if (row.template && !template) {
        rowProblem('template', 'unknown_template', {
          name: row.template,
          product: row.product,
        })
      }

      const customerId = customerOf(row, customers, rowProblem)
      const templated = templateSettingsOf(row, template, rowProblem)
      const settings: LicenseSettings = {
        status: row.status ?? 'active',
        customer_id: customerId,
        template_id: template?.id ?? null,
        ...templated,
        notes: row.notes ?? null,
      }
      if (
        current &&
        settings.max_devices < current.max_devices &&
        settings.max_devices < current.active_devices
      ) {
        rowProblem('max_devices', 'below_active_devices', { active: current.active_devices })
      }
      // As in the panel: a policy whose plugin is off may stay, but is not chosen anew.
      if (
        settings.session_policy &&
        settings.session_policy !== (current?.session_policy ?? null) &&
        !this.policies.has(settings.session_policy)
      ) {
        rowProblem('session_policy', 'unknown_policy', {
          name: settings.session_policy,
          available: this.policies.names().sort().join(', '),
        })
      }
      const terms = current
        ? existingTermsOf(row, current, rowProblem)
        : newTermsOf(row, template, now, rowProblem)
      const ownEntitlements = ownEntitlementsOf(
        row,
        entitlementIds.get(productId) ?? new Map(),
        rowProblem
      )
      const meterLimits = ownMeterLimitsOf(row, meterIds.get(productId) ?? new Map(), rowProblem)

      if (problems.length > before || !terms) continue
      plan.push({
        line: row.line,
        key: row.key,
        productId,
        existingId: current ? Number(current.id) : null,
        template: template ?? null,
        settings,
        terms,
        entitlements: ownEntitlements,
        meterLimits,
      })
    }
    return plan
  }

  protected async apply(
    trx: TransactionClientContract,
    plan: PlannedLicense[],
    actor: Actor,
    i18n: I18n
  ) {
    const now = this.clock.now().toJSDate()
    const existingIds = plan.flatMap((license) => (license.existingId ? [license.existingId] : []))
    // The lock the device trigger and the session engine take: activations queue behind the import.
    const stored: (LicenseSettings & { id: number })[] = await trx
      .from('licenses')
      .whereIn('id', existingIds)
      .orderBy('id')
      .forUpdate()
      .select(
        'id',
        'status',
        'customer_id',
        'template_id',
        'template_overrides',
        'max_devices',
        'max_sessions',
        'session_policy',
        'notes'
      )
    const [grants, limits] = await Promise.all([
      trx.from('license_entitlements').whereIn('license_id', existingIds),
      trx.from('license_meter_limits').whereIn('license_id', existingIds),
    ])
    await this.lockCatalogue(trx, plan, i18n)
    await this.lockTemplates(trx, plan, i18n)
    const storedById = new Map(stored.map((license) => [Number(license.id), license]))
    await this.checkDevicesInUse(trx, plan, storedById, i18n)
    const grantsOf = new Map<number, Map<number, boolean>>()
    for (const grant of grants) {
      const id = Number(grant.license_id)
      if (!grantsOf.has(id)) grantsOf.set(id, new Map())
      grantsOf.get(id)!.set(grant.entitlement_id, grant.granted)
    }
    const limitsOf = new Map<number, Map<number, number | null>>()
    for (const limit of limits) {
      const id = Number(limit.license_id)
      if (!limitsOf.has(id)) limitsOf.set(id, new Map())
      limitsOf.get(id)!.set(limit.meter_id, limit.limit === null ? null : Number(limit.limit))
    }

    const updated: number[] = []
    let unchanged = 0
    let sessionsEnded = 0
    for (const license of plan) {
      if (!license.existingId) continue
      const current = storedById.get(license.existingId)
      if (!current) {
        // Deleted between the plan and the lock: nothing to update any more.
        throw new ImportRolledBack({
          problems: [
            { row: license.line, field: 'key', message: i18n.t('imports.problems.license_gone') },
          ],
        })
      }
      const id = license.existingId
      const sameColumns = sameSettings(current, license.settings)
      const sameGrants = sameMap(license.entitlements, grantsOf.get(id) ?? new Map())
      const sameLimits = sameMap(license.meterLimits, limitsOf.get(id) ?? new Map())
      if (sameColumns && sameGrants && sameLimits) {
        unchanged++
        continue
      }
      await writingRow(license.line, i18n, async () => {
        if (!sameColumns) {
          await trx
            .from('licenses')
            .where('id', id)
            .update({ ...license.settings, updated_at: now })
          // As LicenseService.setStatus: a license that leaves active ends its sessions.
          if (current.status === 'active' && license.settings.status !== 'active') {
            const ended = await this.ledger.end(
              trx,
              { licenseId: id },
              'license',
              now,
              actor.label ?? null
            )
            sessionsEnded += ended.length
          }
        }
        if (!sameGrants) {
          await trx.from('license_entitlements').where('license_id', id).delete()
        }
        if (!sameLimits) {
          await trx.from('license_meter_limits').where('license_id', id).delete()
        }
        await this.insertOwnRows(
          trx,
          [
            {
              id,
              entitlements: sameGrants ? new Map() : license.entitlements,
              meterLimits: sameLimits ? new Map() : license.meterLimits,
            },
          ],
          now
        )
      })
      updated.push(id)
    }

    const fresh = plan.filter((license) => !license.existingId)
    const created = await this.insertNew(trx, fresh, now, i18n)
    if (created.length > 0) {
      announceAfterCommit(trx, 'license:created', () => ({
        licenses: fresh.map((license, index) =>
          eventLicenseOf({
            id: created[index],
            key: license.key,
            productId: license.productId,
            customerId: license.settings.customer_id,
          })
        ),
        batchId: null,
        actor: eventActorOf(actor),
      }))
    }
    if (created.length + updated.length > 0) {
      await this.audit.record(trx, actor, {
        action: 'license.imported',
        subjectType: 'license',
        after: {
          created: created.length,
          updated: updated.length,
          unchanged,
          sessions_ended: sessionsEnded,
          created_ids: created,
          updated_ids: updated,
        },
      })
    }
    return { created: created.length, updated: updated.length, unchanged }
  }

  /**
   * The plan's device check again, under the row locks: an activation
   * between the plan and the lock must not slip under a lowered limit.
   */
  protected async checkDevicesInUse(
    trx: TransactionClientContract,
    plan: PlannedLicense[],
    stored: Map<number, LicenseSettings>,
    i18n: I18n
  ) {
    const lowered = plan.filter(
      (license) =>
        license.existingId &&
        license.settings.max_devices < (stored.get(license.existingId)?.max_devices ?? 0)
    )
    if (lowered.length === 0) return
    const rows: { license_id: number; active: number }[] = await trx
      .from('devices')
      .whereIn(
        'license_id',
        lowered.map((license) => license.existingId!)
      )
      .where('active', true)
      .groupBy('license_id')
      .select('license_id', db.raw('count(*)::int AS active'))
    const active = new Map(rows.map((row) => [Number(row.license_id), row.active]))
    const problems = lowered.flatMap((license) => {
      const inUse = active.get(license.existingId!) ?? 0
      return license.settings.max_devices < inUse
        ? [
            {
              row: license.line,
              field: 'max_devices',
              message: i18n.t('imports.problems.below_active_devices', { active: inUse }),
            },
          ]
        : []
    })
    if (problems.length > 0) throw new ImportRolledBack({ problems })
  }

  /**
   * Reads the templates the file names `FOR SHARE`, as issuing a batch
   * does: a template update waits for the import, then carries its new
   * settings to the imported licenses too. One that changed since the plan
   * (its licenses would get settings it no longer has) is a problem.
   */
  protected async lockTemplates(
    trx: TransactionClientContract,
    plan: PlannedLicense[],
    i18n: I18n
  ) {
    const planned = new Map(
      plan.flatMap((license) => (license.template ? [[license.template.id, license.template]] : []))
    )
    if (planned.size === 0) return
    const locked: TemplateRow[] = await trx
      .from('license_templates')
      .whereIn('id', [...planned.keys()])
      .forShare()
    const changed = [...planned.values()].filter((template) => {
      const now = locked.find((row) => row.id === template.id)
      return !now || TEMPLATE_FIELDS.some((field) => now[field] !== template[field])
    })
    if (changed.length > 0) {
      throw new ImportRolledBack({
        problems: changed.map((template) => ({
          row: plan.find((license) => license.template?.id === template.id)!.line,
          field: 'template',
          message: i18n.t('imports.problems.template_changed', { name: template.name }),
        })),
      })
    }
  }

  /**
   * Keeps the entitlements and meters the file names from being deleted
   * until the import commits; one deleted since the plan is a problem.
   */
  protected async lockCatalogue(
    trx: TransactionClientContract,
    plan: PlannedLicense[],
    i18n: I18n
  ) {
    for (const [table, idsOf] of [
      ['entitlements', (license: PlannedLicense) => [...license.entitlements.keys()]],
      ['meters', (license: PlannedLicense) => [...license.meterLimits.keys()]],
    ] as const) {
      const ids = [...new Set(plan.flatMap(idsOf))]
      if (ids.length === 0) continue
      const found = await trx.from(table).whereIn('id', ids).forShare().select('id')
      if (found.length !== ids.length) {
        throw new ImportRolledBack({
          problems: [{ row: 1, field: '', message: i18n.t('imports.problems.catalogue_changed') }],
        })
      }
    }
  }

  /** Inserts the new licenses in chunks, then their own entitlements and limits. */
  protected async insertNew(
    trx: TransactionClientContract,
    licenses: PlannedLicense[],
    now: Date,
    i18n: I18n
  ) {
    const ids = await insertInChunks(
      trx,
      'licenses',
      licenses.map((license) => ({
        line: license.line,
        values: {
          key: license.key,
          product_id: license.productId,
          ...license.terms,
          ...license.settings,
          features: JSON.stringify({}),
          created_at: now,
          updated_at: now,
        },
      })),
      i18n
    )
    await this.insertOwnRows(
      trx,
      licenses.map((license, index) => ({
        id: ids[index],
        entitlements: license.entitlements,
        meterLimits: license.meterLimits,
      })),
      now
    )
    return ids
  }

  /** A license's own entitlement grants and withdrawals and its meter limits, in bulk. */
  protected async insertOwnRows(
    trx: TransactionClientContract,
    licenses: {
      id: number
      entitlements: Map<number, boolean>
      meterLimits: Map<number, number | null>
    }[],
    now: Date
  ) {
    const grants = licenses.flatMap((license) =>
      [...license.entitlements].map(([entitlementId, granted]) => ({
        license_id: license.id,
        entitlement_id: entitlementId,
        granted,
        created_at: now,
      }))
    )
    const limits = licenses.flatMap((license) =>
      [...license.meterLimits].map(([meterId, limit]) => ({
        license_id: license.id,
        meter_id: meterId,
        limit,
        created_at: now,
      }))
    )
    for (let start = 0; start < grants.length; start += INSERT_CHUNK) {
      await trx.table('license_entitlements').multiInsert(grants.slice(start, start + INSERT_CHUNK))
    }
    for (let start = 0; start < limits.length; start += INSERT_CHUNK) {
      await trx.table('license_meter_limits').multiInsert(limits.slice(start, start + INSERT_CHUNK))
    }
  }
}
