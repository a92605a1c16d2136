import { test } from '@japa/runner'
import AdminUser from '#models/admin_user'
import { TEST_PASSWORD, createAdmin, totpCode } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'

test.group('Panel in a browser: login and two-factor', (group) => {
  group.each.teardown(() => restoreClock())

  test('log in with a password, enrol 2FA, log in again with a TOTP code', async ({
    visit,
    assert,
  }) => {
    const clock = useFixedClock()
    const owner = await createAdmin({ role: 'owner' })

    const login = await visit('/admin/login')
    await login.getByLabel('Email').fill(owner.email)
    await login.getByLabel('Password').fill(TEST_PASSWORD)
    await login.getByRole('button', { name: 'Sign in' }).click()
    await login.waitForURL('**/admin')
    await login.assertTextContains('header', owner.email)

    // Enrol: the secret is on the page next to the QR code.
    await login.goto('/admin/account')
    await login.getByRole('link', { name: 'Set up two-factor authentication' }).click()
    await login.waitForURL('**/admin/account/two-factor')
    assert.isTrue(await login.locator('img.qr').isVisible())
    const secret = (await login.getByTestId('totp-secret').textContent())!.trim()
    await login.getByLabel('Code').fill(totpCode(secret, clock.now().toMillis()))
    await login.getByRole('button', { name: 'Switch on' }).click()
    const codes = await login.getByTestId('recovery-codes').locator('code').allTextContents()
    assert.lengthOf(codes, 10)
    assert.isNotNull((await AdminUser.findOrFail(owner.id)).totpEnabledAt)

    await login.getByRole('button', { name: 'Sign out' }).click()
    await login.waitForURL('**/admin/login')

    // The next code (30 s later): the one used to enrol would be a replay.
    clock.advance({ seconds: 30 })
    await login.getByLabel('Email').fill(owner.email)
    await login.getByLabel('Password').fill(TEST_PASSWORD)
    await login.getByRole('button', { name: 'Sign in' }).click()
    await login.waitForURL('**/admin/login/two-factor')
    await login.getByLabel('Code').fill(totpCode(secret, clock.now().toMillis()))
    await login.getByRole('button', { name: 'Verify' }).click()
    await login.waitForURL('**/admin')
    await login.assertTextContains('header', owner.email)
  })

  test('a wrong code keeps the admin out', async ({ visit }) => {
    const clock = useFixedClock()
    const admin = await createAdmin()
    const page = await visit('/admin/login')
    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/admin')
    await page.goto('/admin/account/two-factor')
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
    await page.getByLabel('Code').fill(totpCode(secret, clock.now().toMillis()))
    await page.getByRole('button', { name: 'Switch on' }).click()
    await page.getByRole('link', { name: 'I have saved them' }).click()
    await page.getByRole('button', { name: 'Sign out' }).click()

    await page.getByLabel('Email').fill(admin.email)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL('**/admin/login/two-factor')
    await page.getByLabel('Code').fill('123456')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.assertTextContains('[role=alert]', 'That code is not valid.')
    await page.goto('/admin')
    await page.assertPath('/admin/login')
  })
})
