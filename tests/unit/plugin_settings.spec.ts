import { test } from '@japa/runner'
import { definePluginsConfig } from '#plugin_host/define_plugin'
import PluginHost from '#plugin_host/plugin_host'
import concurrentPlugin from '../../plugins/session-concurrent/plugin.ts'
import versionGatePlugin from '../../plugins/version-gate/plugin.ts'
import { defineConfig as concurrentConfig } from '../../plugins/session-concurrent/define_config.ts'
import { defineConfig as versionGateConfig } from '../../plugins/version-gate/define_config.ts'

const hostWith = (settings: Record<string, Record<string, unknown>>) =>
  new PluginHost(
    [concurrentPlugin, versionGatePlugin],
    definePluginsConfig({ enabled: ['session-concurrent', 'version-gate'], settings })
  )

test.group('Plugin settings (defineConfig)', () => {
  test('defaults when a plugin has no settings; typed values when it has', ({ assert }) => {
    assert.deepEqual(concurrentConfig({}), { onLimit: 'deny' })
    assert.deepEqual(concurrentConfig({ onLimit: 'replace_oldest' }), { onLimit: 'replace_oldest' })
    assert.deepEqual(versionGateConfig({}), { noticeCacheMs: 5000 })
    assert.deepEqual(versionGateConfig({ noticeCacheSeconds: 0 }), { noticeCacheMs: 0 })

    const host = hostWith({ 'version-gate': { noticeCacheSeconds: 30 } })
    host.resolveConfigs()
    assert.equal(host.configOf<typeof versionGateConfig>('version-gate').noticeCacheMs, 30_000)
    assert.equal(host.configOf<typeof concurrentConfig>('session-concurrent').onLimit, 'deny')
  })

  test('a wrong setting stops the boot with where it is and what is allowed', ({ assert }) => {
    assert.throws(
      () => hostWith({ 'session-concurrent': { onLimit: 'replace' } }).resolveConfigs(),
      `config/plugins.ts, settings['session-concurrent']: onLimit must be 'deny' or 'replace_oldest', not "replace"`
    )
    assert.throws(
      () => hostWith({ 'version-gate': { noticeCacheSeconds: '5' } }).resolveConfigs(),
      `config/plugins.ts, settings['version-gate']: noticeCacheSeconds must be a number of seconds from 0 to 3600, not "5"`
    )
    assert.throws(
      () => hostWith({ 'version-gate': { noticeCacheSeconds: 7200 } }).resolveConfigs(),
      /from 0 to 3600, not 7200/
    )
  })
})
