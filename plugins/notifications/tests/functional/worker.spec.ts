import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import { JobScheduler } from '#plugin_host/api'
import { spawnTracked } from '#tests/support/child_processes'
import { createEndpoint, deliveriesOf, eventually, startReceiver } from '../support.js'

test.group('notifications: the job worker delivers', (group) => {
  group.each.setup(() => async () => {
    await db.from('notifications_webhook_endpoints').delete()
  })

  test('a queued delivery is sent by `jobs:work` in another process', async ({
    assert,
    cleanup,
  }) => {
    const receiver = await startReceiver([200])
    const { id } = await createEndpoint(receiver.url(), ['backup.failed'])
    await emitter.emit('backup:failed', { backupId: null, reason: 'disk full' })
    const [delivery] = await deliveriesOf(id)

    const worker = spawnTracked(process.execPath, ['ace.ts', 'jobs:work'], {
      cwd: app.makePath(),
      env: { ...process.env, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    worker.stdout!.on('data', (chunk) => (output += chunk))
    worker.stderr!.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
    cleanup(async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
      await receiver.close()
      const scheduler = JobScheduler.fromConfig(app)
      await scheduler.queue.obliterate({ force: true })
      await scheduler.close()
    })

    const sent = await eventually(async () => {
      const row = await db.from('notifications_deliveries').where('id', delivery.id).first()
      return row.status === 'succeeded' ? row : null
    }, 20_000).catch(() => {
      throw new Error(`the worker did not deliver in time; its output:\n${output}`)
    })
    assert.equal(sent.response_status, 200)
    assert.lengthOf(receiver.received, 1)
    assert.equal(JSON.parse(receiver.received[0].body).data.reason, 'disk full')

    worker.kill('SIGTERM')
    assert.equal(await exited, 0, `the worker did not stop cleanly; its output:\n${output}`)
  }).timeout(40_000)
})
