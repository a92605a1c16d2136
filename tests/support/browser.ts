import type { Page } from 'playwright'
import type { AdminRole } from '#models/admin_user'
import { TEST_PASSWORD, createAdmin } from '#tests/support/panel'

type Visit = (path: string) => Promise<Page>

/**
 * Opens the login page and signs in through the form as a new admin of the
 * given role; returns the page on the dashboard. Confirmation dialogs
 * (`data-confirm` forms) are accepted.
 */
export async function signedInPage(visit: Visit, role: AdminRole = 'owner') {
  const admin = await createAdmin({ role })
  const page = await visit('/admin/login')
  page.on('dialog', (dialog) => dialog.accept())
  await page.getByLabel('Email').fill(admin.email)
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL('**/admin')
  return { page, admin }
}
