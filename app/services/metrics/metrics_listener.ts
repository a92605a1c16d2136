import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import proxyAddr from 'proxy-addr'
import type { Registry } from 'prom-client'
import type { OperatorAccess } from '#support/operator_access'
import { createHttpServer } from '#support/http_server'

export interface MetricsListenerOptions {
  port: number
  host: string
  /** Who may read (METRICS_TOKEN, METRICS_ALLOW): the same rule as the web processes' /metrics. */
  access: OperatorAccess
  /** Which proxies' X-Forwarded-For is believed (config/app.ts, TRUST_PROXY). */
  trustProxy: (address: string, hop: number) => boolean
  /** The texts of the refusals, in the API's error format. */
  messages: { unauthorized: string; notFound: string }
}

function refuse(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
) {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  })
  response.end(JSON.stringify({ error: { code, message } }))
}

/**
 * A tiny HTTP listener for a process that has no web server of its own (the
 * job worker): `GET /metrics` serves `registry` to operators, the same way
 * and under the same rule as the web processes' route; anything else is a 404.
 */
export async function listenForMetrics(registry: Registry, options: MetricsListenerOptions) {
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0]
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return refuse(response, 404, 'NOT_FOUND', options.messages.notFound)
    }
    const allowed =
      options.access.hasToken(request.headers.authorization) ||
      options.access.allowsAddress(proxyAddr(request, options.trustProxy))
    if (!allowed) {
      return refuse(response, 401, 'UNAUTHORIZED', options.messages.unauthorized, {
        'WWW-Authenticate': 'Bearer realm="metrics"',
      })
    }
    const body = await registry.metrics()
    response.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' })
    response.end(request.method === 'HEAD' ? undefined : body)
  }

  const server: Server = createHttpServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500)
      response.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
