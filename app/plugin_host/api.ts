/**
 * The plugin API: everything of the core a plugin may use, in one module.
 * Plugins import the core from here and from nowhere else (an ESLint rule
 * enforces it for `plugins/**`); the framework's own packages
 * (`@adonisjs/*`, `@vinejs/vine`, `luxon`) they import directly.
 *
 * What is exported here is public: it keeps its meaning across minor
 * versions, and a change to it is a breaking change of the plugin API
 * (docs/decisions/0013-plugin-api.md). Everything else in `app/` may change
 * at any time. Reading the list below is the quickest tour of what a
 * plugin can do.
 */

/* Declaring a plugin: its manifest, provider, routes, jobs and menu. */
export {
  definePlugin,
  type PluginDefinition,
  type PluginKind,
  type PluginProvider,
  type PluginRoutes,
  type NavItem,
  type JobDefinition,
  type JobContext,
  type JobHandler,
} from './define_plugin.js'
export type { PluginRouter } from './plugin_router.js'

/** The host: a plugin's settings (`configOf<typeof defineConfig>(name)`). */
export { default as PluginHost } from './plugin_host.js'

/* Session policies: what a session start does when a license is in use. */
export {
  SessionPolicyRegistry,
  type SessionPolicy,
  type SessionDecision,
  type SessionDecisionContext,
  type LiveSessionSummary,
  type PolicyLicense,
  type PolicyProduct,
} from '#services/session_policies'

/* What clients are told: the product's client configuration. */
export {
  ClientConfigRegistry,
  type ClientConfigProvider,
  type ClientQuery,
  type ClientTerms,
  type SessionTiming,
  type UpdateNotice,
} from '#services/client_config'
/** The heartbeat settings of products whose client configuration sets none (config/sessions.ts). */
export { globalSessionTiming } from '#services/session_service'
export {
  ClientResponseExtensions,
  type ClientResponsePoint,
  type ClientResponseContext,
  type ClientResponseSource,
  type JsonValue,
} from '#services/client_response_extensions'

/* Panel extensions: links on core pages, cards on the dashboard. */
export {
  PanelExtensions,
  type PanelLink,
  type DashboardCard,
  type Translate,
} from '#services/panel_extensions'

/* Panel list pages: filters, sort and pages from the query string, as the core's lists. */
export {
  readListState,
  paginate,
  likePattern,
  /** A free-text search over several columns (ILIKE, any of them). */
  whereMatches,
  PER_PAGE_CHOICES,
  type ListState,
  type ListOptions,
  type PageOf,
} from '#support/panel_list'
export { sendCsv, inChunks, csvSafe, csvUnsafe, type CsvColumn } from '#support/csv_export'
/** CSV imports as the core's: rows read and validated, problems by line, `a; b` list cells. */
export {
  readCsvRows,
  byLine,
  listItems,
  LIST_SEPARATOR,
  type ImportProblem,
  type ValidRow,
} from '#services/imports/csv_records'
export { chartJsUrl } from '#support/chart_js'

/* The audit trail: who changed what, written in the change's transaction. */
export { default as AuditTrail, type AuditEntry } from '#services/audit_trail'
export { type Actor, adminActor, adminIdOf, cliActor } from '#support/actor'
export { inTransaction } from '#support/transaction'

/* Time, jobs and signatures: the injected clock, one-off jobs, the lease keyring. */
export { Clock } from '#support/clock'
/** Opens the app's BullMQ queue (`fromConfig(app).queue.add(name, data)` enqueues a plugin's manual job). */
export { default as JobScheduler } from '#services/job_scheduler'
/** The Ed25519 keys that sign leases (`signingKey()`: kid and private key; `publishedKeys()`). */
export { LeaseKeyring } from '#services/lease_keyring'
/** How the backups and the job worker stand (the dashboard's warnings). */
export { default as BackupHealth, type BackupWarning } from '#services/backup_health'
/** Outgoing e-mail settings (config/mail.ts: SMTP_*, MAIL_FROM): `app.config.get<MailConfig>('mail')`. */
export type { MailConfig } from '#config/mail'
/** Emitting the domain events of types/events.ts without waiting for listeners. */
export { announce, announceAfterCommit } from '#support/domain_events'

/* Errors: a rule's refusal (panel and commands), and the client API's coded errors. */
export { DomainError, type DomainErrorOptions } from '#exceptions/domain_error'
export { redirectWithRefusal } from '#support/panel_refusals'
export { ApiError, type ApiErrorCode } from '#exceptions/api_error'

/* Core records a plugin may read and refer to; changes go through the core's services. */
export { default as Product } from '#models/product'
export { default as Customer } from '#models/customer'
export { default as License } from '#models/license'
export { default as CustomerService } from '#services/customer_service'
export { isLicenseUsable, whereLicenseUsable } from '#rules/license_usable'
export { isSessionLive, whereSessionLive } from '#rules/session_live'
/** A license key as stored (trimmed, upper case), for looking a license up by a client's key. */
export { normalizeLicenseKey } from '#support/license_keys'
/** Throws the client API's refusal (`LICENSE_EXPIRED`, …) for a status a client may not use. */
export { assertUsableStatus } from '#services/license_service'

/**
 * The generated model bases (`database/schema.ts`, from the migrations of
 * the core and of every plugin): a plugin's model extends its table's.
 */
export * as schema from '#database/schema'
