import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import Product from '#models/product'
import License from '#models/license'
import ApiKeyService from '#services/api_key_service'
import { generateLicenseKey } from '#support/license_keys'
import { cliActor } from '#support/actor'

/**
 * Rows for tests. Everything gets a unique name or key: suites share the
 * run's database and never wipe it.
 */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`

export async function createProduct() {
  return Product.create({ name: 'Test product', slug: unique('product') })
}

export async function createLicense(overrides: Partial<License> = {}) {
  const product = overrides.productId ? null : await createProduct()
  const type = overrides.type ?? '1m'
  const expiryBasis =
    overrides.expiryBasis ?? (type === 'perpetual' ? 'creation' : 'first_activation')
  return License.create({
    key: generateLicenseKey(),
    productId: product?.id,
    type,
    expiryBasis,
    status: 'active',
    maxDevices: 1,
    maxSessions: 1,
    features: {},
    expiresAt:
      expiryBasis === 'creation' && type !== 'perpetual' ? DateTime.utc().plus({ days: 30 }) : null,
    ...overrides,
  })
}

/** A product whose licenses keep working `graceDays` days past their expiry. */
export function createProductWithGrace(graceDays: number, fields: Partial<Product> = {}) {
  return Product.create({
    name: 'Grace product',
    slug: unique('grace'),
    expiryGraceDays: graceDays,
    ...fields,
  })
}

/** A month's license of the product, counted from its creation, that expires at `expiresAt`. */
export function licenseExpiringAt(
  productId: number,
  expiresAt: DateTime,
  overrides: Partial<License> = {}
) {
  return createLicense({ productId, type: '1m', expiryBasis: 'creation', expiresAt, ...overrides })
}

export async function createApiKey(name = unique('test-key')) {
  const apiKeys = await app.container.make(ApiKeyService)
  const { plain, apiKey } = await apiKeys.create(name, cliActor('tests'))
  return { key: plain, apiKey }
}

export const fingerprint = () => unique('fp-device')

/**
 * The base URL of the server the functional suite started.
 */
export const baseUrl = () => `http://${process.env.HOST}:${process.env.PORT}`

/**
 * A raw request, for bodies the API client would refuse to send (malformed
 * JSON, wrong content types).
 */
export async function rawRequest(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {}
) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method: init.method ?? 'POST',
    body: init.body,
    headers: { 'content-type': 'application/json', ...init.headers },
  })
  const text = await response.text()
  let body: any = null
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: response.status, headers: response.headers, body }
}

export async function newApiKey() {
  const { key } = await createApiKey()
  return key
}
