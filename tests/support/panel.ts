import { TOTP, Secret } from 'otpauth'
import app from '@adonisjs/core/services/app'
import AdminUser, { type AdminRole } from '#models/admin_user'
import AdminUserService from '#services/admin_user_service'
import { cliActor } from '#support/actor'
import { baseUrl, unique } from '#tests/support/fixtures'

export const TEST_PASSWORD = 'correct horse battery staple'

export async function createAdmin(options: { role?: AdminRole; locale?: 'en' | 'de' } = {}) {
  const admins = await app.container.make(AdminUserService)
  return admins.create(
    {
      email: `${unique(options.role ?? 'admin')}@example.com`,
      password: TEST_PASSWORD,
      role: options.role ?? 'admin',
      locale: options.locale ?? 'en',
    },
    cliActor('tests')
  )
}

/** The current TOTP code of a secret (base32), at a given time. */
export function totpCode(secret: string, at: number = Date.now()) {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  })
}

export interface PanelResponse {
  status: number
  location: string | null
  headers: Headers
  body: string
}

/**
 * A browser-like client of the panel over real HTTP: it keeps cookies,
 * does not follow redirects (tests look at them), and sends the CSRF token
 * of the last page it loaded with each form, as a browser would.
 */
export class PanelClient {
  /** `base`: the server to talk to, the suite's own by default. */
  constructor(readonly base = baseUrl()) {}

  cookies = new Map<string, string>()
  csrfToken: string | null = null
  /** The last page loaded: sent as Referer, as a browser does. */
  lastPage: string | null = null

  protected cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  protected keepCookies(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index).trim()
      const value = pair.slice(index + 1).trim()
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  async request(method: string, path: string, body?: URLSearchParams): Promise<PanelResponse> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        accept: 'text/html',
        ...(this.lastPage ? { referer: this.lastPage } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    })
    this.keepCookies(response.headers)
    const text = await response.text()
    const token = text.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)
    if (token) this.csrfToken = token[1]
    if (method === 'GET' && response.status === 200) this.lastPage = `${this.base}${path}`
    return {
      status: response.status,
      location: response.headers.get('location'),
      headers: response.headers,
      body: text,
    }
  }

  get(path: string) {
    return this.request('GET', path)
  }

  /**
   * Posts a form. The CSRF token comes from the last page loaded; pass
   * `csrf: false` to leave it out, or `csrf: 'value'` to send another.
   */
  async post(
    path: string,
    fields: Record<string, string | number | (string | number)[] | undefined> = {},
    options: { csrf?: boolean | string } = {}
  ) {
    if (options.csrf !== false && !this.csrfToken) await this.get('/admin/login')
    const body = new URLSearchParams()
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, String(item))
    }
    if (options.csrf !== false) {
      body.set('_csrf', typeof options.csrf === 'string' ? options.csrf : this.csrfToken!)
    }
    return this.request('POST', path, body)
  }

  /** Logs in with a password (and a TOTP secret or recovery code if enrolled). */
  async login(email: string, password = TEST_PASSWORD, secondFactor?: () => string) {
    await this.get('/admin/login')
    const first = await this.post('/admin/login', { email, password })
    if (first.location !== '/admin/login/two-factor') return first
    if (!secondFactor) throw new Error(`${email} needs a second factor`)
    await this.get('/admin/login/two-factor')
    return this.post('/admin/login/two-factor', { code: secondFactor() })
  }
}

/** A client logged in as a new admin of the given role. */
export async function loggedInPanel(role: AdminRole = 'owner') {
  const admin = await createAdmin({ role })
  const client = new PanelClient()
  const response = await client.login(admin.email)
  if (response.location !== '/admin') {
    throw new Error(`Login failed: ${response.status} ${response.location}`)
  }
  await client.get('/admin')
  return { client, admin: (await AdminUser.findOrFail(admin.id)) as AdminUser }
}

/** The audit rows written since `since` (an id), newest last. */
export async function auditRowsAfter(sinceId: number) {
  const { default: AuditLog } = await import('#models/audit_log')
  return AuditLog.query().where('id', '>', sinceId).orderBy('id')
}

export async function lastAuditId() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const row = await db.from('audit_logs').max('id as id').first()
  return Number(row?.id ?? 0)
}
