import { BaseSeeder } from '@adonisjs/lucid/seeders'
import app from '@adonisjs/core/services/app'
import Product from '#models/product'
import License from '#models/license'
import ApiKey from '#models/api_key'
import ApiKeyService from '#services/api_key_service'
import LicenseGenerator from '#services/license_generator'
import { cliActor } from '#support/actor'
import { appUrl } from '#config/app'
import { randomBytes } from 'node:crypto'
import AdminUser from '#models/admin_user'
import AdminUserService from '#services/admin_user_service'

const DEMO_PRODUCT = 'demo'
const DEMO_KEY_NAME = 'Demo key'
export const DEMO_OWNER_EMAIL = 'owner@example.com'

/**
 * Demo data for the Quick start: a product, an API key and a few licenses,
 * then what to try with them. Running it again adds no licenses and prints
 * the same ones. The API key is kept only as a hash, so it cannot be shown
 * twice: a later run replaces the demo key (the old one is revoked, audited)
 * and prints the new one, so that every run ends with lines that work.
 */
export default class DemoSeeder extends BaseSeeder {
  async run() {
    const actor = cliActor('demo seeder')
    const product = await Product.firstOrCreate(
      { slug: DEMO_PRODUCT },
      { name: 'Demo Program', description: 'Seeded by the Quick start' }
    )

    const previousKeys = await ApiKey.query().where('name', DEMO_KEY_NAME).whereNull('revokedAt')
    const apiKeys = await app.container.make(ApiKeyService)
    for (const previous of previousKeys) await apiKeys.revoke(previous.id, actor)
    const { plain: plainKey } = await apiKeys.create(DEMO_KEY_NAME, actor)
    const replacedKey = previousKeys.length > 0

    const demoLicenses = await License.query().where('productId', product.id).orderBy('id')
    if (demoLicenses.length === 0) {
      const generator = await app.container.make(LicenseGenerator)
      const batches = [
        { type: 'perpetual', count: 1, maxDevices: 3, maxSessions: 1 },
        { type: '1m', count: 2, maxDevices: 2, maxSessions: 1 },
        { type: '5d', count: 2, maxDevices: 1, maxSessions: 1 },
        { type: '12m', count: 1, maxDevices: 5, maxSessions: 2, sessionPolicy: 'concurrent' },
      ]
      for (const batch of batches) {
        await generator.generate({ productId: product.id, notes: 'demo', ...batch }, actor)
      }
      demoLicenses.push(...(await License.query().where('productId', product.id).orderBy('id')))
    }

    let ownerPassword: string | null = null
    if (!(await AdminUser.findBy('email', DEMO_OWNER_EMAIL))) {
      ownerPassword = randomBytes(12).toString('base64url')
      const admins = await app.container.make(AdminUserService)
      await admins.create(
        { email: DEMO_OWNER_EMAIL, password: ownerPassword, role: 'owner', fullName: 'Demo Owner' },
        actor
      )
    }

    this.print(plainKey, replacedKey, demoLicenses, ownerPassword)
  }

  protected print(
    key: string,
    replacedKey: boolean,
    licenses: License[],
    ownerPassword: string | null
  ) {
    const license = licenses[0]?.key ?? '<license key>'
    const lines = [
      '',
      '  Keyward demo data is ready.',
      '',
      `  Demo API key (shown once, keep it): ${key}` +
        (replacedKey ? ' (it replaces the one printed before, now revoked)' : ''),
      '  Demo licenses:',
      ...licenses.map(
        (entry) =>
          `    ${entry.key}  ${entry.type.padEnd(9)} devices ${entry.maxDevices}, sessions ${entry.maxSessions}` +
          (entry.sessionPolicy ? `, policy ${entry.sessionPolicy}` : '')
      ),
      '',
      `  Server: ${appUrl}   (health: ${appUrl}/health)`,
      `  Admin panel: ${appUrl}/admin`,
      ownerPassword
        ? `    sign in as ${DEMO_OWNER_EMAIL} with password ${ownerPassword} (shown once; set up two-factor in "Your account")`
        : `    the demo owner ${DEMO_OWNER_EMAIL} was created on the first run; add admins with: node ace.ts admin:create`,
      '  Try it:',
      `    curl -s -X POST ${appUrl}/api/license/activate -H 'X-API-Key: ${key}' \\`,
      `      -H 'Content-Type: application/json' -d '{"license_key":"${license}","hardware_fingerprint":"my-first-device"}'`,
      `    curl -s -X POST ${appUrl}/api/license/verify -H 'X-API-Key: ${key}' \\`,
      `      -H 'Content-Type: application/json' -d '{"license_key":"${license}","hardware_fingerprint":"my-first-device"}'`,
      `    curl -s -X POST ${appUrl}/api/license/session/start -H 'X-API-Key: ${key}' \\`,
      `      -H 'Content-Type: application/json' -d '{"license_key":"${license}","hardware_fingerprint":"my-first-device"}'`,
      '',
    ]
    console.log(lines.join('\n'))
  }
}
