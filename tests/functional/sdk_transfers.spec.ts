import { test } from '@japa/runner'
import Product from '#models/product'
import { createLicense, unique } from '#tests/support/fixtures'
import { inProcessClients } from '#tests/support/sdk'
import { useFastHeartbeats } from '#tests/support/sessions'
import { ApiError } from '../../sdk/src/index.ts'

/**
 * The SDK's transfer() and a deactivation the transfer limits refuse,
 * against the test server. Heartbeats every second (timeout 3 s), so the
 * old machine learns of the move at its next beat.
 */
test.group('SDK against the server: transfers', (group) => {
  const openClient = inProcessClients(group)
  group.setup(() => useFastHeartbeats())

  /** A one-device license of a product with a one-hour cooldown and two counted moves a month. */
  async function limitedLicense() {
    const product = await Product.create({
      name: 'Transfers product',
      slug: unique('transfers'),
      transferCooldownSeconds: 3600,
      transferQuota: 2,
      transferQuotaPeriodDays: 30,
    })
    return createLicense({ productId: product.id, type: 'perpetual', maxDevices: 1 })
  }

  function machine(licenseKey: string, name: string) {
    return openClient({ licenseKey, fingerprint: unique(`kw1-${name}`) })
  }

  test("the new machine takes the old one's place: the old session ends, limits are reported", async ({
    assert,
  }) => {
    const license = await limitedLicense()
    const old = machine(license.key, 'old-machine')
    await old.startSession()
    const fresh = machine(license.key, 'new-machine')
    const refused = await fresh.activate().catch((error) => error)
    assert.equal(refused.code, 'DEVICE_LIMIT_REACHED', 'the one slot is taken')

    const ended = new Promise<{ reason: string | null }>((resolve) => old.once('ended', resolve))
    const before = Date.now()
    const moved = await fresh.transfer({
      fromFingerprint: old.fingerprint,
      deviceName: 'New laptop',
    })
    assert.include(moved.device, { fingerprint: fresh.fingerprint, name: 'New laptop' })
    assert.equal(moved.transfersLeft, 1)
    const next = Date.parse(moved.nextTransferAt!)
    assert.approximately(next - before, 3600_000, 5_000)

    assert.deepInclude(await ended, { reason: 'deactivated' })
    assert.equal((await old.verifyOffline()).code, 'LEASE_MISSING')
    const session = await fresh.startSession()
    assert.isFalse(session.resumed)
    await fresh.endSession()
  })

  test('within the cooldown, a deactivation is refused with retry_at and the session carries on', async ({
    assert,
  }) => {
    const license = await limitedLicense()
    const old = machine(license.key, 'old-machine')
    await old.activate()
    const fresh = machine(license.key, 'new-machine')
    await fresh.transfer({ fromFingerprint: old.fingerprint })
    await fresh.startSession()
    const token = fresh.sessionToken

    const error = await fresh.deactivate().catch((failure) => failure)
    assert.instanceOf(error, ApiError)
    assert.include(error, { code: 'TRANSFER_COOLDOWN', status: 429 })
    assert.approximately(error.retryAfter!, 3600, 5)
    assert.approximately(Date.parse(error.details.retry_at!) - Date.now(), 3600_000, 5_000)
    assert.equal(fresh.sessionToken, token)
    assert.isTrue((await fresh.verifyOffline()).valid)
    await new Promise((resolve) => fresh.once('heartbeat', resolve))

    const again = await old.transfer({ fromFingerprint: fresh.fingerprint }).catch((e) => e)
    assert.equal(again.code, 'TRANSFER_COOLDOWN', 'a transfer waits for the same cooldown')
    await fresh.endSession()
  })
})
