import { readFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { HTTP_TIMEOUTS } from '#support/http_server'
import { FaultLab } from '#tests/support/fault_lab'
import { Ledger, post } from '#tests/support/load_clients'
import { reportFigures } from '#tests/support/faults'

/** The resident memory of a process, in MiB. */
async function residentMiB(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]) / 1024
}

/**
 * Slowloris: `count` connections that send a request's headers a line every
 * two seconds and never finish them. A connection the server closes is
 * opened again, until `durationMs` has passed.
 */
function slowHeaders(port: number, count: number, durationMs: number) {
  const until = Date.now() + durationMs
  const lifetimes: number[] = []
  const sockets = new Set<Socket>()
  const open = () => {
    if (Date.now() >= until) return
    const openedAt = Date.now()
    const socket = connect(port, '127.0.0.1')
    sockets.add(socket)
    socket.on('error', () => {})
    // Read what the server says (its 408), as a client does: a paused socket would not see the close.
    socket.resume()
    socket.write('POST /api/license/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const drip = setInterval(() => socket.write(`X-Slow-${Date.now()}: 1\r\n`), 2000)
    socket.on('close', () => {
      clearInterval(drip)
      sockets.delete(socket)
      if (Date.now() < until) {
        lifetimes.push(Date.now() - openedAt)
        open()
      }
    })
  }
  for (let index = 0; index < count; index++) open()
  return {
    lifetimes,
    async end() {
      for (const socket of sockets) socket.destroy()
      await sleep(100)
    },
  }
}

/**
 * POSTs a body of `size` bytes (with a Content-Length, or chunked without
 * one) the way curl does: the answer counts as soon as it arrives, even if
 * the server then closes the connection on the rest of the upload.
 */
function postLargeBody(
  url: string,
  headers: Record<string, string>,
  size: number,
  chunked: boolean
) {
  return new Promise<number>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    const request = httpRequest(url, {
      method: 'POST',
      headers: chunked ? headers : { ...headers, 'content-length': String(size) },
    })
    let answered = false
    request.on('response', (response) => {
      answered = true
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    request.on('error', () => {
      if (!answered) resolve(0)
    })
    let sent = 0
    const write = () => {
      while (sent < size && !answered && !request.destroyed) {
        sent += chunk.length
        if (!request.write(chunk)) return request.once('drain', write)
      }
      if (!request.destroyed) request.end()
    }
    write()
  })
}

test.group('Faults: slow and oversized clients', (group) => {
  let lab: FaultLab
  group.setup(async () => {
    lab = await FaultLab.start()
    return () => lab.destroy()
  })

  test('200 connections sending headers slowly for 30 s: normal requests are still answered', async ({
    assert,
  }) => {
    const { apiKey, licenseKeys } = await lab.seed({ licenses: 1 })
    const server = await lab.startServer()
    const attack = slowHeaders(server.port, 200, 30_000)
    const ledger = new Ledger()
    const until = Date.now() + 30_000
    while (Date.now() < until) {
      await post(
        ledger,
        server.url,
        '/api/license/verify',
        { license_key: licenseKeys[0], hardware_fingerprint: 'fp-slow-test' },
        { 'x-api-key': apiKey }
      )
      await sleep(50)
    }
    await attack.end()

    const statuses = ledger.byStatus()
    assert.deepEqual(Object.keys(statuses), ['200'], JSON.stringify(statuses))
    const p99 = Ledger.percentile(
      ledger.outcomes.map((outcome) => outcome.ms),
      99
    )
    assert.isBelow(p99, 250)
    // The server closed the slow connections once their headers were late.
    assert.isAtLeast(attack.lifetimes.length, 200)
    const limit = HTTP_TIMEOUTS.headersMs + HTTP_TIMEOUTS.checkEveryMs + 2000
    assert.isTrue(
      attack.lifetimes.every((ms) => ms <= limit),
      `slow connections lived up to ${Math.max(...attack.lifetimes)} ms`
    )

    reportFigures('slow headers', {
      'slow connections': 200,
      'normal requests': ledger.outcomes.length,
      'answered': ledger.outcomes.length,
      'p99 ms': p99.toFixed(1),
      'slow connections closed by the server': attack.lifetimes.length,
      'longest slow connection ms': Math.max(...attack.lifetimes),
    })
  }).timeout(60_000)

  test('50 MB bodies are refused without the server’s memory growing', async ({ assert }) => {
    const { apiKey } = await lab.seed({ licenses: 1 })
    const server = await lab.startServer()
    const send = async (kind: 'api' | 'api-chunked' | 'panel') => {
      const startedAt = performance.now()
      const status = await postLargeBody(
        `${server.url}${kind === 'panel' ? '/admin/login' : '/api/license/verify'}`,
        kind === 'panel'
          ? { 'content-type': 'application/x-www-form-urlencoded' }
          : { 'content-type': 'application/json', 'x-api-key': apiKey },
        50 * 1024 * 1024,
        kind === 'api-chunked'
      )
      return { status, ms: performance.now() - startedAt }
    }
    // Warm up, so that what is measured is growth, not the first allocations.
    for (let round = 0; round < 5; round++) {
      for (const kind of ['api', 'api-chunked', 'panel'] as const) await send(kind)
    }
    const before = await residentMiB(server.pid)
    const answers = []
    for (let round = 0; round < 10; round++) {
      for (const kind of ['api', 'api-chunked', 'panel'] as const) answers.push(await send(kind))
    }
    await sleep(2500)
    const after = await residentMiB(server.pid)
    assert.deepEqual(
      answers.map((answer) => answer.status),
      Array(30).fill(413)
    )
    // 1.5 GB sent: a server that buffered bodies would have grown by gigabytes.
    assert.isBelow(after - before, 12, `resident memory went from ${before} to ${after} MiB`)
    // And the server still serves.
    assert.equal((await fetch(`${server.url}/health`)).status, 200)

    reportFigures('50 MB bodies', {
      'bodies sent': answers.length,
      'answered 413': answers.length,
      'slowest ms': Math.max(...answers.map((answer) => answer.ms)).toFixed(0),
      'memory before MiB': before.toFixed(1),
      'memory after MiB': after.toFixed(1),
    })
  }).timeout(120_000)
})
