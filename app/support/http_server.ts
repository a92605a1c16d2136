import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/**
 * Timeouts of the HTTP server, so that slow or stalled clients cannot hold
 * connections for long: Node's defaults give a client a minute to send its
 * headers (slowloris) and five minutes for the whole request.
 */
export const HTTP_TIMEOUTS = {
  /** Until the request's headers are complete. */
  headersMs: 10_000,
  /** Until the whole request, body included, has arrived (uploads go up to 10 MB). */
  requestMs: 60_000,
  /** An idle keep-alive connection is closed after this long. */
  keepAliveMs: 5_000,
  /** How often Node looks for connections past these limits. */
  checkEveryMs: 1_000,
}

export function createHttpServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return createServer(
    {
      headersTimeout: HTTP_TIMEOUTS.headersMs,
      requestTimeout: HTTP_TIMEOUTS.requestMs,
      keepAliveTimeout: HTTP_TIMEOUTS.keepAliveMs,
      connectionsCheckingInterval: HTTP_TIMEOUTS.checkEveryMs,
    },
    handler
  )
}
