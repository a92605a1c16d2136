import { randomUUID } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { PluginsConfig } from '#plugin_host/define_plugin'
import { getCommand, getMetaData, loadPluginCommands } from '#plugin_host/commands_loader'
import { parseEnabledList } from '#plugin_host/plugins_config_file'
import { createLicense, unique } from '#tests/support/fixtures'
import {
  describeMigrations,
  migrationProgress,
  type PluginRow,
  type PolicyFallback,
} from '../../app/commands/plugin_list.ts'

const CONFIG_PATH = app.makePath('config/plugins.ts')
const FIXTURES = app.makePath('tests/fixtures/plugins')

/**
 * Runs a command by name through the app's ace kernel, as `node ace.ts`
 * would find it, with its output kept in memory.
 */
async function runAce(commandName: string, argv: string[]) {
  const ace = await app.container.make('ace')
  ace.ui.switchMode('raw')
  ace.ui.logger.flushLogs()
  const command = await ace.exec(commandName, argv)
  const logs = command.logger.getLogs().map((log) => log.message)
  return { command, output: logs.join('\n') }
}

async function listJson() {
  const { command, output } = await runAce('plugin:list', ['--json'])
  if (command.exitCode !== 0) throw new Error(output)
  return JSON.parse(output) as {
    plugins: PluginRow[]
    defaultSessionPolicy: string
    fallbacks: PolicyFallback[]
  }
}

async function licensesNaming(policy: string) {
  const row = await db.from('licenses').where('session_policy', policy).count('* as total').first()
  return Number(row.total)
}

/** A scratch copy of a plugins config, for --config. */
async function scratchConfig(source: string) {
  const path = join(tmpdir(), `keyward-plugins-${randomUUID()}.ts`)
  await writeFile(path, source)
  return path
}

test.group('plugin:list', () => {
  test('lists the installed plugins, their state and the default policy', async ({ assert }) => {
    const { command, output } = await runAce('plugin:list', [])
    command.assertSucceeded()
    for (const name of ['session-single', 'session-concurrent', 'session-resumable']) {
      assert.match(output, new RegExp(`${name}.*session-policy.*1\\.0\\.0.*yes.*n/a`))
    }
    assert.include(output, `Default session policy: 'resumable' (plugin session-resumable)`)

    const { plugins, defaultSessionPolicy } = await listJson()
    assert.equal(defaultSessionPolicy, 'resumable')
    assert.deepInclude(plugins, {
      name: 'session-concurrent',
      kind: 'session-policy',
      version: '1.0.0',
      enabled: true,
      sessionPolicy: 'concurrent',
      migrations: null,
    })
  })

  test('counts the licenses whose policy falls back to the default', async ({
    assert,
    cleanup,
  }) => {
    const ghost = unique('ghost')
    for (let index = 0; index < 2; index++) await createLicense({ sessionPolicy: 'concurrent' })
    await createLicense({ sessionPolicy: ghost })

    // plugin:list reads the running config: pretend session-concurrent is off.
    const config = app.config.get<PluginsConfig>('plugins')
    const enabled = config.enabled
    cleanup(() => app.config.set('plugins.enabled', enabled))
    app.config.set('plugins.enabled', ['session-single', 'session-resumable'])

    const concurrent = await licensesNaming('concurrent')
    assert.isAtLeast(concurrent, 2)
    const { plugins, fallbacks } = await listJson()
    assert.isFalse(plugins.find((plugin) => plugin.name === 'session-concurrent')!.enabled)
    assert.deepInclude(fallbacks, {
      policy: 'concurrent',
      plugin: 'session-concurrent',
      licenses: concurrent,
      runsUnder: 'resumable',
    })
    assert.deepInclude(fallbacks, {
      policy: ghost,
      plugin: null,
      licenses: 1,
      runsUnder: 'resumable',
    })
    assert.notInclude(
      fallbacks.map((fallback) => fallback.policy),
      'resumable'
    )

    const { output } = await runAce('plugin:list', [])
    assert.match(output, /session-concurrent.*\bno\b/)
    assert.include(
      output,
      `${concurrent} licenses use 'concurrent' (plugin session-concurrent disabled): ` +
        `they run under 'resumable'`
    )
    assert.include(
      output,
      `1 license uses '${ghost}' (no installed plugin provides it): it runs under 'resumable'`
    )
  })

  test('migrations: n/a without a folder, else what Lucid has not run yet', async ({ assert }) => {
    const folder = 'tests/fixtures/plugins/fixture-tools/database/migrations'
    const first = `${folder}/0001_create_fixture_tools_notes`
    const second = `${folder}/0002_add_fixture_tools_tags`

    const none = await migrationProgress(app.appRoot, folder, new Set())
    assert.deepEqual(none, { total: 2, pending: 2 })
    assert.equal(describeMigrations(none), '2 of 2 pending')
    const one = await migrationProgress(app.appRoot, folder, new Set([first]))
    assert.equal(describeMigrations(one), '1 of 2 pending')
    const both = await migrationProgress(app.appRoot, folder, new Set([first, second]))
    assert.equal(describeMigrations(both), 'all run')

    const missing = 'tests/fixtures/plugins/fixture-pages/database/migrations'
    assert.isNull(await migrationProgress(app.appRoot, missing, new Set()))
    assert.equal(describeMigrations(null), 'n/a')
  })
})

test.group('plugin:enable and plugin:disable', () => {
  test('round-trip the real config/plugins.ts', async ({ assert }) => {
    const original = await readFile(CONFIG_PATH, 'utf8')
    try {
      const disabled = await runAce('plugin:disable', ['session-concurrent'])
      disabled.command.assertSucceeded()
      assert.include(disabled.output, 'Disabled plugin "session-concurrent"')
      assert.include(disabled.output, 'Restart running servers and workers')
      assert.notInclude(
        parseEnabledList(await readFile(CONFIG_PATH, 'utf8')).names,
        'session-concurrent'
      )

      const again = await runAce('plugin:disable', ['session-concurrent'])
      again.command.assertSucceeded()
      assert.include(again.output, 'already disabled')

      const enabled = await runAce('plugin:enable', ['session-concurrent'])
      enabled.command.assertSucceeded()
      assert.include(
        parseEnabledList(await readFile(CONFIG_PATH, 'utf8')).names,
        'session-concurrent'
      )

      const twice = await runAce('plugin:enable', ['session-concurrent'])
      twice.command.assertSucceeded()
      assert.include(twice.output, 'Plugin "session-concurrent" is already enabled')
    } finally {
      await writeFile(CONFIG_PATH, original)
    }
    assert.equal(await readFile(CONFIG_PATH, 'utf8'), original)
  })

  test('an unknown plugin name is refused with the installed ones', async ({ assert }) => {
    const original = await readFile(CONFIG_PATH, 'utf8')
    for (const commandName of ['plugin:enable', 'plugin:disable']) {
      const { command, output } = await runAce(commandName, ['no-such-plugin'])
      assert.equal(command.exitCode, 1)
      assert.include(output, 'Unknown plugin "no-such-plugin". Installed plugins:')
      for (const installed of ['session-concurrent', 'session-resumable', 'session-single']) {
        assert.include(output, installed)
      }
    }
    assert.equal(await readFile(CONFIG_PATH, 'utf8'), original)
  })

  test("disabling the default policy's plugin is refused", async ({ assert }) => {
    const original = await readFile(CONFIG_PATH, 'utf8')
    const { command, output } = await runAce('plugin:disable', ['session-resumable'])
    assert.equal(command.exitCode, 1)
    assert.include(output, `provides the default session policy 'resumable'`)
    assert.include(
      output,
      'Set defaultSessionPolicy in config/plugins.ts to another enabled policy'
    )
    assert.equal(await readFile(CONFIG_PATH, 'utf8'), original)
  })

  test('repair a config that names an uninstalled plugin (--config)', async ({
    assert,
    cleanup,
  }) => {
    const original = await readFile(CONFIG_PATH, 'utf8')
    const broken = original.replace(
      /enabled: \[[^\]]*\]/,
      `enabled: ['session-resumable', 'gone-plugin']`
    )
    const path = await scratchConfig(broken)
    cleanup(() => rm(path, { force: true }))

    const removed = await runAce('plugin:disable', ['gone-plugin', '--config', path])
    removed.command.assertSucceeded()
    assert.include(
      removed.output,
      'Removed "gone-plugin" from the enabled list (it is not installed)'
    )
    const added = await runAce('plugin:enable', ['session-single', '--config', path])
    added.command.assertSucceeded()
    assert.equal(
      await readFile(path, 'utf8'),
      original.replace(/enabled: \[[^\]]*\]/, `enabled: ['session-resumable', 'session-single']`)
    )

    const missing = await runAce('plugin:enable', ['session-single', '--config', `${path}.nope`])
    assert.equal(missing.command.exitCode, 1)
    assert.include(missing.output, 'No config file at')

    await writeFile(path, broken.replace(/enabled: \[[^\]]*\]/, 'enabled: [...base]'))
    const refused = await runAce('plugin:enable', ['session-single', '--config', path])
    assert.equal(refused.command.exitCode, 1)
    assert.include(refused.output, 'plain list of quoted names')
  })
})

test.group('plugin commands loader', () => {
  test("loads only the enabled plugins' commands", async ({ assert }) => {
    const commands = await loadPluginCommands(FIXTURES, ['fixture-pages', 'fixture-tools'])
    assert.deepEqual(
      commands.map((command) => command.commandName),
      ['fixture-tools:hello']
    )
    assert.deepEqual(await loadPluginCommands(FIXTURES, ['fixture-pages']), [])
    // A name that is not installed is skipped (boot reports it), not thrown.
    assert.deepEqual(await loadPluginCommands(FIXTURES, ['not-installed']), [])

    const ace = await app.container.make('ace')
    ace.ui.switchMode('raw')
    const hello = await ace.create(commands[0], ['Ada'])
    await hello.exec()
    hello.assertSucceeded()
    hello.assertLog('Hello Ada from fixture-tools')
  })

  test('the loader module lists the app config and plugins folder', async ({ assert }) => {
    const config = app.config.get<PluginsConfig>('plugins')
    const expected = await loadPluginCommands(app.makePath('plugins'), config.enabled)
    const metaData = await getMetaData()
    assert.deepEqual(
      metaData.map((command) => command.commandName),
      expected.map((command) => command.commandName)
    )
    const [fixture] = await loadPluginCommands(FIXTURES, ['fixture-tools'])
    assert.isNull(await getCommand({ ...fixture.serialize(), commandName: 'no:such' }))
  })
})
