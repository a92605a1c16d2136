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
 * then what to try with them. Running it again adds nothing and prints the
 * same licenses (the API key exists only as a hash after its first print).
 */
export default class DemoSeeder extends BaseSeeder {
  async run() {
    const actor = cliActor('demo seeder')
    const product = await Product.firstOrCreate(
      { slug: DEMO_PRODUCT },
      { name: 'Demo Program', description: 'Seeded by the Quick start' }
    )

    let plainKey: string | null = null
    const existingKey = await ApiKey.query()
      .where('name', DEMO_KEY_NAME)
      .whereNull('revokedAt')
      .first()
    if (!existingKey) {
      const created = await ApiKeyService.create(DEMO_KEY_NAME, actor)
      plainKey = created.plain
    }

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
      await AdminUserService.create(
        { email: DEMO_OWNER_EMAIL, password: ownerPassword, role: 'owner', fullName: 'Demo Owner' },
        actor
      )
    }

    this.print(plainKey, demoLicenses, ownerPassword)
  }

  protected print(plainKey: string | null, licenses: License[], ownerPassword: string | null) {
    const key = plainKey ?? '<your API key>'
    const license = licenses[0]?.key ?? '<license key>'
    const lines = [
      '',
      '  Keyward demo data is ready.',
      '',
      plainKey
        ? `  Demo API key (shown once, keep it): ${plainKey}`
        : `  The demo API key was printed on the first run; make another with: node ace.ts apikey:create NAME`,
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
