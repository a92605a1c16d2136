import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import { resolvePublicAddress } from './address_guard.js'

export interface SendOptions {
  timeoutMs: number
  maxResponseBytes: number
  allowPrivateAddresses: boolean
}

/** How one attempt went: `status` is null when no answer came. */
export interface SendResult {
  ok: boolean
  status: number | null
  durationMs: number
  error: string | null
}

/**
 * POSTs one webhook. The host is resolved and checked first (SSRF guard),
 * and the connection goes to the address that was checked: the request
 * gets a `lookup` that answers with it, so the name is not resolved again
 * (DNS rebinding) while TLS still checks the certificate for the name.
 * Redirects are not followed (a 3xx is a failure), the whole attempt has
 * a deadline, and at most `maxResponseBytes` of the answer are read.
 */
export async function sendWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions
): Promise<SendResult> {
  const startedAt = performance.now()
  const elapsed = () => Math.round(performance.now() - startedAt)
  const target = new URL(url)
  let resolved
  try {
    resolved = await resolvePublicAddress(target.hostname, {
      allowPrivate: options.allowPrivateAddresses,
    })
  } catch (error) {
    return { ok: false, status: null, durationMs: elapsed(), error: (error as Error).message }
  }
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) {
      callback(null, [{ address: resolved.address, family: resolved.family }])
    } else {
      ;(callback as (e: null, address: string, family: number) => void)(
        null,
        resolved.address,
        resolved.family
      )
    }
  }
  const transport = target.protocol === 'https:' ? https : http
  return new Promise<SendResult>((resolve) => {
    let settled = false
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      resolve({ ...result, durationMs: elapsed() })
    }
    const request = transport.request(
      target,
      {
        method: 'POST',
        lookup: pinned,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Keyward-Webhooks/1',
        },
      },
      (response) => {
        const status = response.statusCode ?? null
        let read = 0
        const done = () => {
          const ok = status !== null && status >= 200 && status < 300
          finish({ ok, status, error: ok ? null : `HTTP ${status}` })
        }
        response.on('data', (chunk: Buffer) => {
          read += chunk.length
          // Enough: the status is what counts; the rest is not read.
          if (read > options.maxResponseBytes) {
            done()
            response.destroy()
          }
        })
        response.on('end', done)
        response.on('error', () => done())
        response.on('close', done)
      }
    )
    const deadline = setTimeout(() => {
      finish({ ok: false, status: null, error: `no answer within ${options.timeoutMs} ms` })
      request.destroy()
    }, options.timeoutMs)
    request.on('error', (error) => finish({ ok: false, status: null, error: error.message }))
    request.end(body)
  })
}
