import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
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

/**
 * A full-page screenshot for the README, taken on every run but written to
 * `readmePath` only with KEYWARD_SCREENSHOTS=1: otherwise it goes to a
 * temporary folder the test's cleanup removes, so normal runs leave the
 * committed file alone. Answers the file's size in bytes.
 */
export async function readmeScreenshot(
  page: Page,
  readmePath: string,
  cleanup: (handler: () => Promise<void>) => void
) {
  let path = readmePath
  if (process.env.KEYWARD_SCREENSHOTS === '1') {
    await mkdir(dirname(readmePath), { recursive: true })
  } else {
    const folder = await mkdtemp(join(tmpdir(), 'keyward-screenshot-'))
    cleanup(() => rm(folder, { recursive: true, force: true }))
    path = join(folder, basename(readmePath))
  }
  await page.screenshot({ path, fullPage: true })
  return (await stat(path)).size
}
