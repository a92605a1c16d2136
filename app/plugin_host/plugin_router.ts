import type { HttpRouterService } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'

type RouteGroup = ReturnType<HttpRouterService['group']>
type Middleware = Parameters<RouteGroup['use']>[0]

/**
 * What a plugin's `routes.ts` is given. Panel pages and client API calls
 * come in groups the host has already mounted and guarded, so a plugin
 * cannot put a page outside `/admin` or forget the panel login.
 */
export interface PluginRouter {
  /**
   * Panel pages and calls: paths are under `/admin`, behind the blocked-IP
   * check and the panel login, and route names start with `admin.`.
   */
  admin(define: (router: HttpRouterService) => void): RouteGroup
  /**
   * Client API calls: paths are under `/api`, where the server's gate (API
   * key, rate limit, body size, API error format) covers every request.
   * Route names start with `api.`.
   */
  api(define: (router: HttpRouterService) => void): RouteGroup
  /**
   * An old address kept for bookmarks: `from` and every path under it
   * answer a permanent redirect to the same place under `to`, query string
   * included (301 for GET and HEAD, 308 for the rest, so a form posted to
   * the old address is posted again, with its body, to the new one).
   */
  redirect(from: string, to: string): void
  /**
   * For owner-only pages inside `admin`: `router.post(...).use(owner)`
   * (other admins get the panel's 403 page).
   */
  readonly owner: Middleware
  /** Route param matchers (`router.matchers.number()`). */
  readonly matchers: HttpRouterService['matchers']
}

export interface PluginRouteGuards {
  /** Middleware of every panel route (the core's own panel routes use the same). */
  panel: Middleware
  /** Added to owner-only routes. */
  owner: Middleware
}

function redirectTo(to: string) {
  return ({ params, request, response }: HttpContext) => {
    const rest = (params['*'] as string[] | undefined)?.map(encodeURIComponent).join('/')
    const query = request.parsedUrl.query ? `?${request.parsedUrl.query}` : ''
    const method = request.method()
    const status = method === 'GET' || method === 'HEAD' ? 301 : 308
    response
      .redirect()
      .status(status)
      .toPath(`${to}${rest ? `/${rest}` : ''}${query}`)
  }
}

type GroupMember = RouteGroup['routes'][number]

/**
 * Prepends `prefix.` to the names of the group's named routes. A group's
 * own `.as()` refuses unnamed routes (closures), which plugins may use.
 */
function prefixNames(group: RouteGroup, prefix: string) {
  const visit = (member: GroupMember) => {
    if ('routes' in member) return member.routes.forEach((child) => visit(child as GroupMember))
    const route = 'route' in member ? member.route : member
    if (route?.getName()) route.as(prefix, true)
  }
  group.routes.forEach(visit)
  return group
}

export function pluginRouter(router: HttpRouterService, guards: PluginRouteGuards): PluginRouter {
  return {
    admin: (define) =>
      prefixNames(router.group(() => define(router)).prefix('/admin'), 'admin').use(guards.panel),
    api: (define) => prefixNames(router.group(() => define(router)).prefix('/api'), 'api'),
    redirect(from, to) {
      router.any(from, redirectTo(to))
      router.any(`${from}/*`, redirectTo(to))
    },
    owner: guards.owner,
    matchers: router.matchers,
  }
}
