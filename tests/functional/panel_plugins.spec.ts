import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import type { PluginsConfig } from '#plugin_host/define_plugin'
import { createLicense, unique } from '#tests/support/fixtures'
import { PanelClient, loggedInPanel } from '#tests/support/panel'

const POLICY_PLUGINS = ['session-single', 'session-concurrent', 'session-resumable']

/** The table row of one plugin. */
function pluginRow(body: string, name: string) {
  const match = body.match(new RegExp(`<tr data-plugin="${name}">([\\s\\S]*?)</tr>`))
  return match?.[1] ?? null
}

test.group('Panel: plugins', () => {
  test('lists the installed plugins, enabled, with the default policy marked', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin/plugins')
    assert.equal(page.status, 200)

    for (const name of POLICY_PLUGINS) {
      const row = pluginRow(page.body, name)
      assert.isNotNull(row, name)
      assert.include(row!, 'data-testid="plugin-enabled"', name)
      assert.include(row!, 'Session policy')
      assert.include(row!, '1.0.0')
      assert.include(row!, 'Services (provider)')
      assert.notInclude(row!, 'after restart')
    }
    assert.include(pluginRow(page.body, 'session-resumable')!, 'data-testid="default-policy-badge"')
    assert.notInclude(pluginRow(page.body, 'session-single')!, 'default-policy-badge')
    assert.notInclude(pluginRow(page.body, 'session-concurrent')!, 'default-policy-badge')
    assert.include(pluginRow(page.body, 'session-concurrent')!, '<code>concurrent</code>')
    assert.match(
      page.body,
      /data-testid="default-policy">\s*Licenses without a policy of their own use <code>resumable<\/code>, provided by <strong>session-resumable<\/strong>/
    )

    // Read-only: the ace commands are pointed to, and nothing on the page changes plugins.
    for (const command of ['plugin:list', 'plugin:enable NAME', 'plugin:disable NAME']) {
      assert.include(page.body, `node ace.ts ${command}`)
    }
    assert.include(page.body, 'restarted')
    assert.notMatch(page.body, /action="\/admin\/plugins/)
    assert.notEqual((await client.post('/admin/plugins', { enabled: 'x' })).status, 200)
  })

  test('shows a disabled plugin, what a restart would change, and licenses that fall back', async ({
    assert,
    cleanup,
  }) => {
    const ghost = unique('ghost')
    await createLicense({ sessionPolicy: ghost })
    await createLicense({ sessionPolicy: ghost })
    await createLicense({ sessionPolicy: 'concurrent' })

    // The page reads the running config: pretend session-concurrent is off.
    const enabled = app.config.get<PluginsConfig>('plugins').enabled
    cleanup(() => app.config.set('plugins.enabled', enabled))
    app.config.set('plugins.enabled', ['session-single', 'session-resumable'])

    const { client } = await loggedInPanel('owner')
    const page = await client.get('/admin/plugins')
    assert.equal(page.status, 200)
    const concurrent = pluginRow(page.body, 'session-concurrent')!
    assert.include(concurrent, 'data-testid="plugin-disabled"')
    // config/plugins.ts still lists it: the next start turns it back on.
    assert.include(concurrent, 'Enabled after restart')
    assert.include(pluginRow(page.body, 'session-single')!, 'data-testid="plugin-enabled"')
    assert.include(
      page.body,
      `2 licenses use “${ghost}” (no installed plugin provides it) and run under “resumable”.`
    )
    assert.match(
      page.body,
      /licenses? uses? “concurrent” \(plugin session-concurrent is disabled\)/
    )
  })

  test('not logged in: the page redirects to the login form', async ({ assert }) => {
    const response = await new PanelClient().get('/admin/plugins')
    assert.equal(response.status, 302)
    assert.equal(response.location, '/admin/login')
  })
})
