import type { ApplicationService } from '@adonisjs/core/types'
import type { BaseCommand } from '@adonisjs/core/ace'
import type { PluginRouter } from './plugin_router.js'

/**
 * What a plugin is, for the host and for `plugin:list`. Session policies are
 * plugins of their own kind because a license names one by its policy name.
 */
export type PluginKind = 'session-policy' | 'feature'

type LazyDefault<T> = () => Promise<{ default: T }>

/** Resolves a lazy `() => import('./x.js')` to its default export. */
export async function loadDefault<T>(lazy: LazyDefault<T>): Promise<T> {
  const module = await lazy()
  return module.default
}

/**
 * A plugin's provider has the shape of an AdonisJS provider. The host runs
 * its hooks while the plugin is enabled, and never otherwise.
 */
export interface PluginProvider {
  register?(): void | Promise<void>
  boot?(): void | Promise<void>
  start?(): void | Promise<void>
  ready?(): void | Promise<void>
  shutdown?(): void | Promise<void>
}
export type PluginProviderClass = new (app: ApplicationService) => PluginProvider

/**
 * Routes are a function of the host's router, not a module with side
 * effects, so the host decides whether they are mounted, where, and behind
 * which guards (see PluginRouter).
 */
export type PluginRoutes = (routes: PluginRouter) => void

export interface JobContext {
  app: ApplicationService
  /** When the job was due, per the scheduler. */
  scheduledAt: Date
  /** The data a one-off run was enqueued with (absent for scheduled runs). */
  data?: unknown
}

/**
 * Resolves to what the run did (logged by the worker), or null when there
 * was nothing to do (logged at debug level only).
 */
export type JobHandler = (context: JobContext) => Promise<unknown>

/**
 * A repeatable job. `every` takes a duration such as `5s` or `1h`; `cron`
 * takes a cron pattern, read in `timezone` (an IANA name; default UTC).
 * Exactly one of the two, unless the job is `manual`: then it has no
 * schedule and runs only when enqueued (with its data), by any worker.
 */
export interface JobDefinition {
  name: string
  description: string
  every?: string
  cron?: string
  timezone?: string
  manual?: boolean
  handler: LazyDefault<JobHandler>
}

export interface NavItem {
  /** Translation key or plain label. */
  label: string
  /** A panel address: `/admin` or under it. */
  href: string
  /** Owner-only entries are hidden from other admins. */
  ownerOnly?: boolean
}

export interface PluginDefinition {
  name: string
  kind: PluginKind
  version: string
  description: string
  /** The policy name a session-policy plugin registers (what licenses store). */
  sessionPolicy?: string
  provider?: LazyDefault<PluginProviderClass>
  routes?: LazyDefault<PluginRoutes>
  /** Folder of Edge views, mounted as the disk `<name>::`. */
  views?: URL
  jobs?: JobDefinition[]
  commands?: LazyDefault<typeof BaseCommand>[]
  nav?: NavItem[]
  /**
   * Route patterns (as mounted, e.g. `/admin/leads/import`) whose multipart
   * bodies are parsed: file uploads. Every other route ignores them.
   */
  uploadRoutes?: string[]
  /**
   * The plugin's `defineConfig`: turns its entry of `settings` in
   * `config/plugins.ts` (absent: `{}`) into its typed settings, or throws a
   * message that names the setting. The host runs it for every enabled
   * plugin at boot, before any plugin provider, so a typo stops the boot.
   */
  defineConfig?: (settings: Record<string, unknown>) => unknown
}

const PLUGIN_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/**
 * Declares a plugin in its `plugin.ts`. Checks what can be checked without
 * loading anything, so a typo fails at boot with the plugin's name in it.
 */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  if (!PLUGIN_NAME.test(definition.name)) {
    throw new Error(`Plugin name "${definition.name}" must be kebab-case (e.g. session-single)`)
  }
  if (definition.kind === 'session-policy' && !definition.sessionPolicy) {
    throw new Error(`Plugin "${definition.name}" is a session-policy plugin without sessionPolicy`)
  }
  for (const item of definition.nav ?? []) {
    if (item.href !== '/admin' && !item.href.startsWith('/admin/')) {
      throw new Error(
        `Menu entry "${item.label}" of plugin "${definition.name}" must point into the panel ` +
          `(/admin/...), not to ${item.href}`
      )
    }
  }
  for (const job of definition.jobs ?? []) {
    if (!job.manual && Boolean(job.every) === Boolean(job.cron)) {
      throw new Error(`Job "${job.name}" of plugin "${definition.name}" needs every or cron`)
    }
  }
  return definition
}

/**
 * `config/plugins.ts`: which installed plugins run, and the session policy
 * of licenses without one of their own.
 */
export interface PluginsConfig {
  enabled: string[]
  defaultSessionPolicy: string
  /** Per-plugin settings, keyed by plugin name. */
  settings: Record<string, Record<string, unknown>>
}

export function definePluginsConfig(config: Partial<PluginsConfig> & { enabled: string[] }) {
  return {
    defaultSessionPolicy: 'resumable',
    settings: {},
    ...config,
  } satisfies PluginsConfig
}
