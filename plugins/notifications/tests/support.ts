import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { cliActor } from '#plugin_host/api'
import type { NotificationType } from '../services/catalogue.js'
import { EndpointService } from '../services/endpoint_service.js'
import { Mailer } from '../services/mailer.js'
import { NotificationsSettings, type ResolvedNotificationsConfig } from '../services/settings.js'

export interface ReceivedRequest {
  headers: IncomingMessage['headers']
  body: string
  path: string
}

/**
 * How the receiver answers one request: a status, never (a timeout), or a
 * 200 that sends `endlessBody` bytes and then keeps the answer open.
 */
export type Answer =
  number | 'hang' | { status: number; headers?: Record<string, string> } | { endlessBody: number }

/**
 * A real HTTP receiver on 127.0.0.1: it records every request and answers
 * from a script (the last answer repeats).
 */
export async function startReceiver(script: Answer[] = [200]) {
  const received: ReceivedRequest[] = []
  const hanging = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path: request.url ?? '/',
      })
      const answer = script[Math.min(received.length - 1, script.length - 1)]
      if (answer === 'hang') {
        hanging.add(response)
        return
      }
      if (typeof answer === 'object' && 'endlessBody' in answer) {
        hanging.add(response)
        response.writeHead(200, { 'content-type': 'text/plain' })
        response.write('x'.repeat(answer.endlessBody))
        return
      }
      const { status, headers } =
        typeof answer === 'number' ? { status: answer, headers: {} } : answer
      response.writeHead(status, { 'content-type': 'text/plain', ...headers })
      response.end(status < 300 ? 'ok' : 'no')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    async close() {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export interface ReceivedMail {
  to: string[]
  raw: string
  subject: string
  text: string
  html: string
}

/** Decodes RFC 2047 words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) of a header. */
function decodeWords(value: string) {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, kind: string, text: string) =>
      kind.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16))
              ),
            'latin1'
          ).toString('utf8')
    )
}

function decodeBody(body: string, encoding: string) {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
        String.fromCharCode(Number.parseInt(hex, 16))
      )
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}

/** The subject and the text and HTML parts of a message as nodemailer writes it. */
function parseMail(raw: string) {
  const [head] = raw.split(/\r?\n\r?\n/)
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ')
  const subject = decodeWords(/^subject: (.*)$/im.exec(unfolded)?.[1] ?? '')
  const parts: Record<string, string> = {}
  for (const part of raw.split(/\r?\n--[^\r\n]+\r?\n/)) {
    const [partHead, ...rest] = part.split(/\r?\n\r?\n/)
    const type = /content-type: text\/(plain|html)/i.exec(partHead)?.[1]
    if (!type) continue
    const encoding =
      /content-transfer-encoding: ([\w-]+)/i.exec(partHead)?.[1]?.toLowerCase() ?? '7bit'
    parts[type] = decodeBody(rest.join('\n\n').replace(/\r?\n--[^\r\n]+--\s*$/, ''), encoding)
  }
  return { subject, text: parts.plain ?? '', html: parts.html ?? '' }
}

/** A real SMTP server in the test process (smtp-server) that keeps what it receives. */
export async function startSmtpServer() {
  const messages: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        messages.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          ...parseMail(raw),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Makes the app send e-mail to that server (as SMTP_HOST and friends would). */
export function useSmtp(port: number) {
  const mailer = new Mailer({
    smtp: { host: '127.0.0.1', port, secure: false, user: null, password: null },
    from: 'Keyward <keyward@test.example>',
  })
  app.container.swap(Mailer, () => mailer)
  return () => {
    mailer.close()
    app.container.restore(Mailer)
  }
}

/** Swaps in settings for this test (a short timeout, the SSRF guard on, …). */
export async function useSettings(changes: Partial<ResolvedNotificationsConfig>) {
  app.container.restore(NotificationsSettings)
  const current = await app.container.make(NotificationsSettings)
  const settings = new NotificationsSettings({ ...current.config, ...changes })
  app.container.swap(NotificationsSettings, () => settings)
  return () => app.container.restore(NotificationsSettings)
}

/** An endpoint made through the service, as the panel does; its secret in clear. */
export async function createEndpoint(url: string, events: NotificationType[]) {
  const endpoints = await app.container.make(EndpointService)
  return endpoints.create({ url, description: null, events }, cliActor('tests'))
}

/** Waits for what a listener does after an emit that nobody awaited (never a fixed sleep). */
export async function eventually<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error('gave up waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The notification events of a type whose data mentions the license id. */
export function eventsAbout(type: string, licenseId: number) {
  return (
    db
      .from('notifications_events')
      .where('type', type)
      // In parentheses: Knex puts a raw clause as it is, and AND binds tighter than OR.
      .whereRaw(`((data->'license'->>'id')::int = ? OR data->'licenses' @> ?::jsonb)`, [
        licenseId,
        JSON.stringify([{ id: licenseId }]),
      ])
      .orderBy('created_at')
  )
}

/** The deliveries of an endpoint, oldest first. */
export function deliveriesOf(endpointId: number) {
  return db.from('notifications_deliveries').where('endpoint_id', endpointId).orderBy('id')
}
