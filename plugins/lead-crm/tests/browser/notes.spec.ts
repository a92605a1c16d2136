import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { unique } from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'

test.group('lead-crm in a browser', () => {
  test('an institution with a contact and a note; the note edited twice, then restored', async ({
    visit,
    assert,
  }) => {
    const { page } = await signedInPage(visit, 'admin')
    const name = unique('Browser School')
    await page.getByRole('navigation').getByRole('link', { name: 'Leads', exact: true }).click()
    await page.getByRole('link', { name: 'New institution' }).click()
    await page.getByLabel('Name', { exact: true }).fill(name)
    await page.getByLabel('Type').fill('school')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.assertTextContains('[role=status]', `${name} was created`)

    await page.locator('#contacts > details > summary').click()
    const contactForm = page.getByTestId('contact-form')
    await contactForm.getByLabel('Name').fill('Ada Lovelace')
    await contactForm.getByLabel('Email').fill('ada@example.com')
    await contactForm.getByRole('button', { name: 'Add contact' }).click()
    await page.assertTextContains('[data-testid=contacts]', 'Ada Lovelace')

    await page.getByLabel('New note').fill('Version one')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.assertTextContains('[data-testid=notes]', 'Version one')
    for (const text of ['Version two', 'Version three']) {
      const note = page.getByTestId('notes').locator('li').first()
      await note.locator('summary').click()
      await note.getByLabel('Text').fill(text)
      await note.getByRole('button', { name: 'Save as new version' }).click()
      await page.assertTextContains('[data-testid=notes]', text)
    }

    await page.getByTestId('notes').getByRole('link', { name: 'Versions' }).click()
    const versions = page.getByTestId('note-versions')
    await page.assertTextContains('[data-testid=note-versions]', 'Version one')
    await versions.locator('tr[data-version="1"]').getByRole('button', { name: 'Restore' }).click()
    await page.assertTextContains('[role=status]', 'Version 1 is the note')
    await page.assertTextContains('tr[data-version="4"]', 'Version one')

    const institution = await db.from('lead_crm_institutions').where('name', name).first()
    const note = await db.from('lead_crm_notes').where('institution_id', institution.id).first()
    assert.include(note, { body: 'Version one', version: 4 })
    await page.goto(`/admin/leads/${institution.id}`)
    await page.assertTextContains('[data-testid=notes]', 'Version one')
  })
})
