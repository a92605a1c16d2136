import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import { JobScheduler } from '#plugin_host/api'
import { createLicense } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel, type PanelClient } from '#tests/support/panel'
import sendEmail from '../../jobs/send_email.js'
import { EMAIL_JOB } from '../../services/notification_queue.js'
import { eventually, eventsAbout, startSmtpServer, useSmtp } from '../support.js'

const appUrl = () => String(app.config.get('app.appUrl')).replace(/\/+$/, '')

/** Subscribes the logged-in admin to these kinds through the panel page. */
async function subscribe(client: PanelClient, events: string[]) {
  await client.get('/admin/notifications/email')
  return client.post('/admin/notifications/email', { 'events[]': events })
}

/** The e-mail jobs queued for an event, run as the worker would. */
async function runEmailJobs(eventId: string) {
  const scheduler = JobScheduler.fromConfig(app)
  try {
    const jobs = await scheduler.queue.getJobs(['waiting', 'delayed', 'prioritized'])
    const mine = jobs.filter((job) => job?.name === EMAIL_JOB && job.data.eventId === eventId)
    const results = []
    for (const job of mine) {
      results.push(await sendEmail({ app, scheduledAt: new Date(), data: job.data }))
    }
    return { count: mine.length, results }
  } finally {
    await scheduler.close()
  }
}

test.group('notifications: e-mail through a real SMTP server', (group) => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>
  let restoreMailer: () => void
  group.each.setup(async () => {
    smtp = await startSmtpServer()
    restoreMailer = useSmtp(smtp.port)
    await db.from('notifications_email_subscriptions').delete()
    return async () => {
      restoreMailer()
      await smtp.close()
    }
  })

  test('subscribed admins get the event in their language, with links to the panel', async ({
    assert,
  }) => {
    const english = await loggedInPanel('owner')
    const german = await loggedInPanel('admin')
    await db.from('admin_users').where('id', german.admin.id).update({ locale: 'de' })
    const other = await loggedInPanel('admin')
    const since = await lastAuditId()
    await subscribe(english.client, ['license.suspended', 'backup.failed'])
    await subscribe(german.client, ['license.suspended'])
    await subscribe(other.client, ['license.revoked'])
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'notifications.email_subscriptions_changed')
    assert.deepEqual(audit.after, { events: ['backup.failed', 'license.suspended'] })
    const germanPage = await german.client.get('/admin/notifications/email')
    assert.include(germanPage.body, 'E-Mail-Benachrichtigungen')
    assert.include(germanPage.body, 'Lizenz gesperrt')
    const page = await english.client.get('/admin/notifications/email')
    assert.include(page.body, 'value="license.suspended" checked')
    assert.notInclude(page.body, 'data-mail-off')

    // Suspended from the panel's bulk action: the core announces it after commit.
    const license = await createLicense()
    await english.client.get('/admin/licenses')
    await english.client.post('/admin/licenses/bulk', {
      'action': 'suspend',
      'ids[]': [license.id],
    })
    const [event] = await eventually(async () => {
      const rows = await eventsAbout('license.suspended', license.id)
      return rows.length > 0 ? rows : null
    })
    const { count, results } = await runEmailJobs(event.id)
    assert.equal(count, 2)
    assert.deepEqual(
      results.map((result: any) => result.sent),
      [true, true]
    )
    assert.lengthOf(smtp.messages, 2)

    const to = (email: string) => smtp.messages.find((message) => message.to.includes(email))!
    const en = to(english.admin.email)
    assert.equal(en.subject, `[Keyward] License ${license.key} was suspended`)
    assert.include(en.text, `Open in the Keyward panel: ${appUrl()}/admin/licenses/${license.id}`)
    assert.include(en.html, `href="${appUrl()}/admin/licenses/${license.id}"`)
    assert.include(en.text, `${appUrl()}/admin/notifications/email`)
    assert.include(en.raw, 'From: Keyward <keyward@test.example>')

    const de = to(german.admin.email)
    assert.equal(de.subject, `[Keyward] Lizenz ${license.key} wurde gesperrt`)
    assert.include(de.text, `Im Keyward-Panel öffnen: ${appUrl()}/admin/licenses/${license.id}`)
    assert.include(de.html, '<html lang="de">')
    assert.isUndefined(smtp.messages.find((message) => message.to.includes(other.admin.email)))
  })

  test('plural batches, an unsubscribe before sending, and e-mail switched off', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('owner')
    await subscribe(client, ['backup.failed', 'license.created'])
    await emitter.emit('backup:failed', { backupId: null, reason: 'disk full' })
    const backup = await db
      .from('notifications_events')
      .where('type', 'backup.failed')
      .orderBy('created_at', 'desc')
      .first()
    // Unsubscribed while the job waited: nothing is sent.
    await subscribe(client, ['license.created'])
    const skipped = await runEmailJobs(backup.id)
    assert.deepEqual(skipped, { count: 1, results: [{ sent: false }] })
    assert.lengthOf(smtp.messages, 0)

    const licenses = await Promise.all([createLicense(), createLicense(), createLicense()])
    await emitter.emit('license:created', {
      licenses: licenses.map((license) => ({
        id: license.id,
        key: license.key,
        productId: license.productId,
        customerId: null,
      })),
      batchId: 'batch-1',
      actor: { kind: 'system', id: null, email: null },
    })
    const [created] = await eventsAbout('license.created', licenses[0].id)
    await runEmailJobs(created.id)
    assert.equal(smtp.messages[0].subject, '[Keyward] 3 licenses were created')
    assert.include(smtp.messages[0].text, `${appUrl()}/admin/licenses`)
    assert.deepEqual(smtp.messages[0].to, [admin.email])

    // Without SMTP_HOST (the test environment's own setting) nothing is queued.
    restoreMailer()
    const off = await client.get('/admin/notifications/email')
    assert.include(off.body, 'data-mail-off')
    await emitter.emit('license:created', {
      licenses: [
        {
          id: licenses[0].id,
          key: licenses[0].key,
          productId: licenses[0].productId,
          customerId: null,
        },
      ],
      batchId: 'batch-2',
      actor: { kind: 'system', id: null, email: null },
    })
    const events = await eventsAbout('license.created', licenses[0].id)
    assert.lengthOf(events, 2)
    assert.equal((await runEmailJobs(events[1].id)).count, 0)
  })
})
