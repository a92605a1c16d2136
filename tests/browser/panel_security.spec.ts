import { test } from '@japa/runner'
import { baseUrl, createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'
import { runDetectors } from '#tests/support/security'

/**
 * The whole way of a sharing alert: a license used in turn from six
 * devices, the detectors' run, the admin who opens the alert from the
 * dashboard, reads the evidence and suspends the license from the alert;
 * the client still running learns it at its next heartbeat (410).
 */
test.group('Panel in a browser: security alerts', () => {
  test('a sharing pattern raises an alert; suspending from it ends the client at its next heartbeat', async ({
    visit,
    assert,
  }) => {
    const license = await createLicense({
      type: 'perpetual',
      maxDevices: 10,
      maxSessions: 1,
      sessionPolicy: 'single',
    })
    const apiKey = await newApiKey()
    const call = async (path: string, body: Record<string, unknown>) => {
      const response = await fetch(`${baseUrl()}/api/license/session/${path}`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ license_key: license.key, ...body }),
      })
      return { status: response.status, body: (await response.json()) as Record<string, any> }
    }
    // Five people in turn, and a sixth still running.
    for (let person = 0; person < 5; person++) {
      const started = await call('start', { hardware_fingerprint: fingerprint() })
      assert.equal(started.status, 201)
      assert.equal((await call('end', { session_token: started.body.session_token })).status, 200)
    }
    const running = await call('start', { hardware_fingerprint: fingerprint() })
    assert.equal(running.status, 201)
    const token = running.body.session_token
    assert.equal((await call('heartbeat', { session_token: token })).status, 200)

    await runDetectors()

    const { page } = await signedInPage(visit, 'admin')
    await page.locator('[data-card="security-alerts"]').getByRole('link', { name: 'Open' }).click()
    await page.waitForURL('**/admin/security/alerts?status=open')
    const row = page.locator('tr', { hasText: license.key })
    await row.getByRole('link', { name: 'License sharing' }).click()
    await page.waitForURL('**/admin/security/alerts/*')
    await page.assertTextContains('[data-alert-facts]', 'License used from 6 devices')
    await page.assertExists(page.getByRole('heading', { name: 'Evidence (6)' }))
    assert.equal(await page.locator('[data-evidence] tbody tr').count(), 6)
    await page.assertTextContains('[data-evidence]', 'Session started')

    await page.getByRole('button', { name: 'Suspend the license' }).click()
    await page.assertTextContains('[role=status], .flash', 'License suspended')
    await page.assertTextContains('[data-license-status]', 'Suspended')
    await page.assertTextContains('[data-alert-action-list]', 'Suspend the license')

    const beat = await call('heartbeat', { session_token: token })
    assert.equal(beat.status, 410)
    assert.deepInclude(beat.body.error, { code: 'SESSION_ENDED', end_reason: 'license' })

    await page.getByRole('button', { name: 'Resolve' }).click()
    await page.assertTextContains('[data-alert-status]', 'Resolved')
    if (process.env.KEYWARD_SECURITY_SCREENSHOT) {
      await page.screenshot({ path: process.env.KEYWARD_SECURITY_SCREENSHOT, fullPage: true })
    }
  })
})
