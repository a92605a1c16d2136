import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import type { BaseCommand } from '@adonisjs/core/ace'
import AdminUser from '#models/admin_user'
import { unique } from '#tests/support/fixtures'
import {
  PanelClient,
  TEST_PASSWORD,
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
} from '#tests/support/panel'
import AdminCreate from '../../app/commands/admin_create.ts'

async function runCommand(argv: string[]) {
  const command = await ace.create(AdminCreate, argv)
  command.ui.switchMode('raw')
  await command.exec()
  const logs = (command as BaseCommand).logger.getLogs().map((log) => log.message)
  return { command, output: logs.join('\n') }
}

test.group('Panel: admins, account and blocked IPs', () => {
  test('an owner creates, edits, resets and deletes an admin; each change is audited', async ({
    assert,
  }) => {
    const { client, admin: owner } = await loggedInPanel('owner')
    const email = `${unique('new')}@example.com`
    const since = await lastAuditId()

    const created = await client.post('/admin/admins', {
      email: email.toUpperCase(),
      full_name: 'New Admin',
      role: 'admin',
      locale: 'de',
      password: 'a long enough password',
    })
    assert.equal(created.location, '/admin/admins')
    const subject = await AdminUser.findByOrFail('email', email)
    assert.equal(subject.locale, 'de')
    assert.notEqual(subject.password, 'a long enough password')
    assert.isTrue(await hash.verify(subject.password, 'a long enough password'))
    assert.include((await client.get('/admin/admins?q=' + email)).body, email)

    const duplicate = await client.post('/admin/admins', {
      email,
      role: 'admin',
      password: 'another long password',
    })
    assert.equal(duplicate.location, '/admin/admins/new')
    assert.include((await client.get('/admin/admins/new')).body, 'An admin with this email exists')

    await client.post(`/admin/admins/${subject.id}`, { full_name: 'Renamed', role: 'owner' })
    await subject.refresh()
    assert.equal(subject.role, 'owner')
    await client.post(`/admin/admins/${subject.id}/reset-two-factor`)
    await client.post(`/admin/admins/${subject.id}/delete`)
    assert.isNull(await AdminUser.find(subject.id))

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['admin.created', 'admin.updated', 'admin.two_factor_disabled', 'admin.deleted']
    )
    for (const row of rows) {
      assert.equal(row.actorType, 'admin')
      assert.equal(row.actorId, String(owner.id))
      assert.equal(row.actorLabel, owner.email)
      assert.equal(row.ip, '127.0.0.1')
    }
    assert.deepInclude(rows[1].before!, { role: 'admin', full_name: 'New Admin' })
    assert.deepInclude(rows[1].after!, { role: 'owner', full_name: 'Renamed' })
  })

  test('bad admin input gives field errors and writes nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('owner')
    const since = await lastAuditId()
    await client.get('/admin/admins/new')
    const response = await client.post('/admin/admins', {
      email: 'not-an-email',
      role: 'emperor',
      password: 'short',
    })
    assert.equal(response.status, 302)
    const form = await client.get('/admin/admins/new')
    assert.include(form.body, 'field-invalid')
    assert.include(form.body, 'id="field-email-error"')
    assert.include(form.body, 'id="field-password-error"')
    assert.lengthOf(await auditRowsAfter(since), 0)
    assert.equal((await client.get('/admin/admins/abc/edit')).status, 404)
    assert.equal((await client.get('/admin/admins/999999/edit')).status, 404)
  })

  test('the last owner cannot be demoted or deleted, nor can an owner remove themselves', async ({
    assert,
  }) => {
    const { client, admin: owner } = await loggedInPanel('owner')
    await client.post(`/admin/admins/${owner.id}`, { role: 'admin' })
    await owner.refresh()
    assert.equal(owner.role, 'owner')
    await client.post(`/admin/admins/${owner.id}/delete`)
    assert.isNotNull(await AdminUser.find(owner.id))
  })

  test('an admin changes their profile, language and password; each is audited', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const since = await lastAuditId()
    await client.get('/admin/account')
    await client.post('/admin/account', { full_name: 'Ada', locale: 'de' })
    await admin.refresh()
    assert.equal(admin.fullName, 'Ada')
    assert.equal(admin.locale, 'de')

    const wrong = await client.post('/admin/account/password', {
      current_password: 'not it',
      password: 'the new long password',
      password_confirmation: 'the new long password',
    })
    assert.equal(wrong.location, '/admin/account')
    const mismatch = await client.post('/admin/account/password', {
      current_password: TEST_PASSWORD,
      password: 'the new long password',
      password_confirmation: 'something else entirely',
    })
    assert.equal(mismatch.status, 302)
    await admin.refresh()
    assert.isTrue(await hash.verify(admin.password, TEST_PASSWORD))

    await client.post('/admin/account/password', {
      current_password: TEST_PASSWORD,
      password: 'the new long password',
      password_confirmation: 'the new long password',
    })
    const fresh = new PanelClient()
    assert.equal((await fresh.login(admin.email, 'the new long password')).location, '/admin')

    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => row.action),
      ['admin.profile_updated', 'admin.password_changed', 'admin.login']
    )
  })

  test('an owner-only page answers a non-owner 403 with the page that says why', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin/admins')
    assert.equal(page.status, 403)
    assert.include(page.body, 'Only owners may do this.')
  })

  test('blocking and unblocking an address is audited', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const since = await lastAuditId()
    await client.get('/admin/blocked-ips')
    await client.post('/admin/blocked-ips', { network: '192.0.2.10', reason: 'scanner' })
    const row = await db.from('blocked_ips').where('network', '192.0.2.10/32').firstOrFail()
    await client.post('/admin/blocked-ips', { network: '192.0.2.10' })
    await client.post(`/admin/blocked-ips/${row.id}/delete`)
    assert.isNull(await db.from('blocked_ips').where('id', row.id).first())
    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((entry) => entry.action),
      ['blocked_ip.created', 'blocked_ip.deleted']
    )
    assert.deepEqual(rows[0].after, { network: '192.0.2.10/32', reason: 'scanner' })
  })

  test('admin:create makes an owner from flags and refuses bad input', async ({ assert }) => {
    const email = `${unique('cli')}@example.com`
    const { output } = await runCommand(['--email', email, '--no-interactive'])
    const created = await AdminUser.findByOrFail('email', email)
    assert.equal(created.role, 'owner')
    const password = output.match(/Password \(shown once\): (\S+)/)![1]
    assert.isTrue(await hash.verify(created.password, password))

    const again = await runCommand(['--email', email, '--no-interactive'])
    assert.equal(again.command.exitCode, 1)
    assert.include(again.output, 'exists already')

    const bad = await runCommand([
      '--email',
      'nope',
      '--role',
      'king',
      '--password',
      'short',
      '--no-interactive',
    ])
    assert.equal(bad.command.exitCode, 1)
    assert.include(bad.output, '--email')
    assert.include(bad.output, '--role')
    assert.include(bad.output, '--password')
  })

  test('a deleted admin is logged out at the next request', async ({ assert }) => {
    const { client: ownerClient } = await loggedInPanel('owner')
    const victim = await createAdmin()
    const client = new PanelClient()
    await client.login(victim.email)
    assert.equal((await client.get('/admin')).status, 200)
    await ownerClient.get('/admin/admins')
    await ownerClient.post(`/admin/admins/${victim.id}/delete`)
    assert.equal((await client.get('/admin')).location, '/admin/login')
  })
})
