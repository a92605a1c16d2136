import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import AdminUser from '#models/admin_user'
import panelConfig from '#config/panel'
import {
  PanelClient,
  TEST_PASSWORD,
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
  totpCode,
} from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'

/** Enrols an admin in 2FA through the panel; returns the secret and codes. */
async function enrol(client: PanelClient, at: number) {
  const page = await client.get('/admin/account/two-factor')
  const secret = page.body.match(/data-testid="totp-secret">([A-Z2-7]+)</)![1]
  const confirmed = await client.post('/admin/account/two-factor', { code: totpCode(secret, at) })
  const codes = [...confirmed.body.matchAll(/<code>([2-9A-Z]{4}(?:-[2-9A-Z]{4}){3})<\/code>/g)].map(
    (match) => match[1]
  )
  return { secret, codes, confirmed }
}

test.group('Panel login', (group) => {
  group.each.teardown(() => restoreClock())

  test('a correct password logs in; the session reaches the panel', async ({ assert }) => {
    const admin = await createAdmin()
    const client = new PanelClient()
    const before = await client.get('/admin')
    assert.equal(before.status, 302)
    assert.equal(before.location, '/admin/login')

    const response = await client.login(admin.email)
    assert.equal(response.location, '/admin')
    const dashboard = await client.get('/admin')
    assert.equal(dashboard.status, 200)
    assert.include(dashboard.body, admin.email)
    assert.equal(dashboard.headers.get('cache-control'), 'no-store')
  })

  test('a wrong password is refused with the same answer as an unknown email', async ({
    assert,
  }) => {
    const admin = await createAdmin()
    const wrongPassword = await new PanelClient().login(admin.email, 'not the password')
    const unknownEmail = await new PanelClient().login('nobody-here@example.com', TEST_PASSWORD)
    assert.equal(wrongPassword.location, '/admin/login')
    assert.equal(unknownEmail.location, '/admin/login')
  })

  test('five failures lock the account out for this address, even with the right password', async ({
    assert,
  }) => {
    const admin = await createAdmin()
    const client = new PanelClient()
    const since = await lastAuditId()
    for (let attempt = 1; attempt <= 4; attempt++) {
      const failed = await client.login(admin.email, 'wrong password')
      assert.equal(failed.status, 302, `attempt ${attempt}`)
    }
    const fifth = await client.login(admin.email, 'wrong password')
    assert.equal(fifth.status, 429)
    assert.include(fifth.body, 'Too many failed attempts')
    assert.equal(fifth.headers.get('retry-after'), '900')

    const rightPassword = await client.login(admin.email)
    assert.equal(rightPassword.status, 429)
    assert.equal((await client.get('/admin')).location, '/admin/login')

    const actions = (await auditRowsAfter(since)).map((row) => row.action)
    assert.deepEqual(actions, [
      'admin.login_failed',
      'admin.login_failed',
      'admin.login_failed',
      'admin.login_failed',
      'admin.login_locked_out',
    ])

    // Once the lockout is over (its key gone), the password works again.
    await limiter
      .use({ requests: 5, duration: '15 min' })
      .delete(`panel_login:${admin.email}:127.0.0.1`)
    await limiter.use({ requests: 20, duration: '15 min' }).delete('panel_login_ip:127.0.0.1')
    assert.equal((await client.login(admin.email)).location, '/admin')
  }).teardown(async () => {
    await limiter.use({ requests: 20, duration: '15 min' }).delete('panel_login_ip:127.0.0.1')
  })

  test('a form without the CSRF token is refused and changes nothing', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('owner')
    const since = await lastAuditId()
    const withoutToken = await client.post(
      '/admin/blocked-ips',
      { network: '198.51.100.0/24' },
      { csrf: false }
    )
    assert.equal(withoutToken.status, 302)
    const forged = await client.post(
      '/admin/account',
      { full_name: 'Forged', locale: 'de' },
      { csrf: 'forged-token' }
    )
    assert.equal(forged.status, 302)

    await admin.refresh()
    assert.notEqual(admin.fullName, 'Forged')
    assert.isNull(await db.from('blocked_ips').where('network', '198.51.100.0/24').first())
    assert.lengthOf(await auditRowsAfter(since), 0)

    // A login form posted from another site is refused as well.
    const stranger = new PanelClient()
    const login = await stranger.post(
      '/admin/login',
      { email: admin.email, password: TEST_PASSWORD },
      { csrf: false }
    )
    assert.notEqual(login.location, '/admin')
  })

  test('an admin (not owner) is refused owner actions', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const other = await createAdmin()
    assert.equal((await client.get('/admin/admins')).status, 403)
    const create = await client.post('/admin/admins', {
      email: 'sneaky@example.com',
      role: 'owner',
      password: 'long enough password',
    })
    assert.equal(create.status, 403)
    assert.isNull(await AdminUser.findBy('email', 'sneaky@example.com'))
    const promote = await client.post(`/admin/admins/${other.id}`, { role: 'owner' })
    assert.equal(promote.status, 403)
    await other.refresh()
    assert.equal(other.role, 'admin')
    assert.equal((await client.post(`/admin/admins/${other.id}/delete`)).status, 403)
    assert.isNotNull(await AdminUser.find(other.id))
  })

  test('two-factor: enrol, then log in with a TOTP code; a code works once', async ({ assert }) => {
    const clock = useFixedClock()
    const { client, admin } = await loggedInPanel('admin')
    const since = await lastAuditId()
    const { secret, codes } = await enrol(client, clock.now().toMillis())
    assert.lengthOf(codes, 10)
    await admin.refresh()
    assert.isTrue(admin.twoFactorEnabled)
    assert.notInclude(admin.totpSecret!, secret, 'the secret is stored encrypted')
    const stored = await db.from('admin_recovery_codes').where('admin_user_id', admin.id)
    assert.lengthOf(stored, 10)
    assert.notInclude(JSON.stringify(stored), codes[0])

    await client.post('/admin/logout')
    clock.advance({ seconds: 30 })
    const code = totpCode(secret, clock.now().toMillis())
    const fresh = new PanelClient()
    const password = await fresh.post('/admin/login', {
      email: admin.email,
      password: TEST_PASSWORD,
    })
    assert.equal(password.location, '/admin/login/two-factor')
    assert.equal((await fresh.get('/admin')).location, '/admin/login', 'not logged in yet')
    await fresh.get('/admin/login/two-factor')
    const wrong = await fresh.post('/admin/login/two-factor', { code: '000000' })
    assert.equal(wrong.location, '/admin/login/two-factor')
    const right = await fresh.post('/admin/login/two-factor', { code })
    assert.equal(right.location, '/admin')
    assert.equal((await fresh.get('/admin')).status, 200)

    // The same code again (same 30 s step) is refused: replay protection.
    const replay = new PanelClient()
    await replay.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    await replay.get('/admin/login/two-factor')
    const replayed = await replay.post('/admin/login/two-factor', { code })
    assert.equal(replayed.location, '/admin/login/two-factor')

    const actions = (await auditRowsAfter(since)).map((row) => row.action)
    assert.includeMembers(actions, [
      'admin.two_factor_enabled',
      'admin.logout',
      'admin.login_failed',
      'admin.login',
    ])
  })

  test('two-factor: a recovery code logs in once, then is spent', async ({ assert }) => {
    const clock = useFixedClock()
    const { client, admin } = await loggedInPanel('owner')
    const { codes } = await enrol(client, clock.now().toMillis())
    const since = await lastAuditId()

    const first = new PanelClient()
    await first.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    await first.get('/admin/login/two-factor')
    const used = await first.post('/admin/login/two-factor', {
      code: codes[3].toLowerCase().replaceAll('-', ' '),
    })
    assert.equal(used.location, '/admin')
    const account = await first.get('/admin/account')
    assert.include(account.body, '9 recovery codes left')

    const second = new PanelClient()
    await second.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    await second.get('/admin/login/two-factor')
    const again = await second.post('/admin/login/two-factor', { code: codes[3] })
    assert.equal(again.location, '/admin/login/two-factor')

    const rows = await auditRowsAfter(since)
    const usedRow = rows.find((row) => row.action === 'admin.recovery_code_used')
    assert.deepEqual(usedRow?.after, { remaining: 9 })
    assert.deepEqual(rows.find((row) => row.action === 'admin.login')?.after, {
      second_factor: 'recovery_code',
    })
  })

  test('the second factor waits five minutes at most', async ({ assert }) => {
    const clock = useFixedClock()
    const { client, admin } = await loggedInPanel('admin')
    const { secret } = await enrol(client, clock.now().toMillis())
    const late = new PanelClient()
    await late.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    clock.advance({ minutes: 6 })
    await late.get('/admin/login')
    const response = await late.post('/admin/login/two-factor', {
      code: totpCode(secret, clock.now().toMillis()),
    })
    assert.equal(response.location, '/admin/login')
    assert.equal((await late.get('/admin')).location, '/admin/login')
  })

  test('a blocked address cannot reach the login page; the own address cannot be blocked', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const own = await client.post('/admin/blocked-ips', { network: '127.0.0.0/8' })
    assert.equal(own.location, '/admin/blocked-ips')
    assert.isNull(await db.from('blocked_ips').where('network', '127.0.0.0/8').first())

    const invalid = await client.post('/admin/blocked-ips', { network: '300.1.2.3' })
    assert.equal(invalid.status, 302)
    assert.include((await client.get('/admin/blocked-ips')).body, 'This is not an IP address')

    await client.post('/admin/blocked-ips', { network: '203.0.113.0/24', reason: 'abuse' })
    const row = await db.from('blocked_ips').where('network', '203.0.113.0/24').first()
    assert.equal(row.reason, 'abuse')
    // The list now guards the client API too: leave no block for later tests' addresses.
    await db.from('blocked_ips').where('id', row.id).delete()

    // Loopback blocked directly in the database: the panel refuses at once.
    const [blocked] = await db
      .table('blocked_ips')
      .insert({ network: '127.0.0.1/32' })
      .returning('id')
    try {
      const refused = await new PanelClient().get('/admin/login')
      assert.equal(refused.status, 403)
      assert.equal((await client.get('/admin')).status, 403)
    } finally {
      await db.from('blocked_ips').where('id', blocked.id).delete()
    }
    assert.equal((await new PanelClient().get('/admin/login')).status, 200)
  })

  test("the panel speaks the admin's language", async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    assert.include((await client.get('/admin/account')).body, 'Your account')
    await client.post('/admin/account/locale', { locale: 'de' })
    assert.include((await client.get('/admin/account')).body, 'Ihr Konto')
  })
})

test.group('Panel: two-factor required', (group) => {
  group.each.teardown(() => {
    panelConfig.requireTwoFactor = false
  })

  test('with PANEL_REQUIRE_TWO_FACTOR, an admin without 2FA can only reach the enrolment', async ({
    assert,
  }) => {
    panelConfig.requireTwoFactor = true
    const admin = await createAdmin()
    const client = new PanelClient()
    await client.login(admin.email)
    const dashboard = await client.get('/admin')
    assert.equal(dashboard.location, '/admin/account/two-factor')
    assert.equal((await client.get('/admin/account/two-factor')).status, 200)
  })
})
