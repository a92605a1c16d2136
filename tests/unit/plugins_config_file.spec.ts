import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import { definePlugin, type PluginDefinition } from '#plugin_host/define_plugin'
import {
  parseDefaultSessionPolicy,
  parseEnabledList,
  planDisable,
  planEnable,
  PluginsConfigFileError,
  rewriteEnabledList,
  type ToggleOutcome,
} from '#plugin_host/plugins_config_file'

const CONFIG = `import { definePluginsConfig } from '#plugin_host/define_plugin'

/*
| The enabled list below; e.g. enabled: ['not', 'this', 'one'].
*/
export default definePluginsConfig({
  enabled: ['session-single', 'session-concurrent', 'session-resumable'],
  defaultSessionPolicy: 'resumable',
  settings: {
    // A setting named like the list is left alone.
    'some-plugin': { enabled: ['x'] },
    'session-concurrent': { onLimit: 'deny' },
  },
})
`

const policyPlugin = (name: string, sessionPolicy: string) =>
  definePlugin({ name, kind: 'session-policy', version: '1.0.0', description: name, sessionPolicy })
const INSTALLED: PluginDefinition[] = [
  policyPlugin('session-single', 'single'),
  policyPlugin('session-concurrent', 'concurrent'),
  policyPlugin('session-resumable', 'resumable'),
  definePlugin({ name: 'lead-crm', kind: 'feature', version: '1.0.0', description: 'CRM' }),
]

const withList = (list: string) => CONFIG.replace(/enabled: \[.*?\],/, `enabled: ${list},`)

function changed(outcome: ToggleOutcome) {
  if (outcome.status !== 'changed') throw new Error(`Expected a change: ${outcome.message}`)
  return outcome.source
}

test.group('plugins config file: parsing', () => {
  test('reads the enabled list of the real config/plugins.ts', async ({ assert }) => {
    const source = await readFile(new URL('../../config/plugins.ts', import.meta.url), 'utf8')
    assert.includeMembers(parseEnabledList(source).names, ['session-resumable'])
    assert.isString(parseDefaultSessionPolicy(source))
  })

  test('reads the top-level list, not comments or settings', ({ assert }) => {
    assert.deepEqual(parseEnabledList(CONFIG).names, [
      'session-single',
      'session-concurrent',
      'session-resumable',
    ])
    assert.equal(parseDefaultSessionPolicy(CONFIG), 'resumable')
  })

  test('accepts double quotes, line breaks, comments around and a trailing comma', ({ assert }) => {
    const odd = withList(`[\n    "session-single" ,\n\n  'lead-crm'   ,\n  ]`)
    assert.deepEqual(parseEnabledList(odd).names, ['session-single', 'lead-crm'])
    assert.deepEqual(parseEnabledList(withList('[ ]')).names, [])
    const quotedKey = CONFIG.replace('  enabled:', `  /* on */ 'enabled' :`)
    assert.deepEqual(parseEnabledList(quotedKey).names.length, 3)
  })

  test('refuses lists that are not plain string literals', ({ assert }) => {
    for (const list of [
      `[...base, 'lead-crm']`,
      `['lead-crm', other]`,
      '[`lead-crm`]',
      `['lead-crm' 'session-single']`,
      `['lead-crm', // the CRM\n 'session-single']`,
      `['lead-\\'crm']`,
      `names`,
      `process.env.PLUGINS.split(',')`,
    ]) {
      assert.throws(
        () => parseEnabledList(withList(list)),
        PluginsConfigFileError,
        /plain list of quoted names/,
        list
      )
    }
    assert.throws(() => parseEnabledList('export default {}'), /definePluginsConfig/)
    assert.throws(
      () => parseEnabledList(CONFIG.replace(/enabled: \[.*?\],\n/, '')),
      /has no `enabled: \[...\]` list/
    )
  })

  test('the default policy is definePluginsConfig default when left out', ({ assert }) => {
    assert.equal(
      parseDefaultSessionPolicy(CONFIG.replace(/ {2}defaultSessionPolicy.*\n/, '')),
      'resumable'
    )
    assert.equal(parseDefaultSessionPolicy(CONFIG.replace(`'resumable'`, `"single"`)), 'single')
    assert.throws(
      () => parseDefaultSessionPolicy(CONFIG.replace(`'resumable'`, 'env.get("POLICY")')),
      /must be a quoted name/
    )
  })
})

test.group('plugins config file: rewriting', () => {
  test('disable then enable restores the file byte for byte', ({ assert }) => {
    // The default moves to 'single' so that session-resumable may be disabled.
    const source = CONFIG.replace(`'resumable'`, `'single'`)
    const disabled = changed(planDisable(source, 'session-resumable', INSTALLED))
    assert.equal(disabled, source.replace(`, 'session-resumable']`, ']'))
    assert.equal(changed(planEnable(disabled, 'session-resumable', INSTALLED)), source)
  })

  test('enabling appends, so the others keep their order', ({ assert }) => {
    const source = CONFIG.replace(`'resumable'`, `'single'`)
    const disabled = changed(planDisable(source, 'session-concurrent', INSTALLED))
    assert.deepEqual(parseEnabledList(disabled).names, ['session-single', 'session-resumable'])
    assert.deepEqual(
      parseEnabledList(changed(planEnable(disabled, 'session-concurrent', INSTALLED))).names,
      ['session-single', 'session-resumable', 'session-concurrent']
    )
  })

  test('only the list changes; odd formatting of the list is normalized', ({ assert }) => {
    const odd = withList(`[\n    "session-single" ,\n  'session-resumable'   ,\n  ]`)
    const enabled = changed(planEnable(odd, 'lead-crm', INSTALLED))
    assert.equal(enabled, withList(`['session-single', 'session-resumable', 'lead-crm']`))
    assert.equal(rewriteEnabledList(CONFIG, []), withList('[]'))
  })

  test('a list too long for one line is written one name per line, as Prettier does', ({
    assert,
  }) => {
    const names = [
      'session-single',
      'session-concurrent',
      'session-resumable',
      'version-gate',
      'lead-crm',
    ]
    const long = rewriteEnabledList(CONFIG, names)
    assert.include(
      long,
      `  enabled: [\n    'session-single',\n    'session-concurrent',\n    'session-resumable',\n` +
        `    'version-gate',\n    'lead-crm',\n  ],\n  defaultSessionPolicy`
    )
    assert.deepEqual(parseEnabledList(long).names, names)
    assert.equal(rewriteEnabledList(long, names.slice(0, 3)), CONFIG)
  })

  test('enable and disable are idempotent and leave the text alone', ({ assert }) => {
    const enable = planEnable(CONFIG, 'session-single', INSTALLED)
    assert.deepEqual(enable, {
      status: 'unchanged',
      message: 'Plugin "session-single" is already enabled',
    })
    const disable = planDisable(CONFIG, 'lead-crm', INSTALLED)
    assert.deepEqual(disable, {
      status: 'unchanged',
      message: 'Plugin "lead-crm" is already disabled',
    })
  })

  test('unknown names are refused with the installed plugins', ({ assert }) => {
    for (const outcome of [
      planEnable(CONFIG, 'no-such', INSTALLED),
      planDisable(CONFIG, 'no-such', INSTALLED),
    ]) {
      assert.equal(outcome.status, 'refused')
      assert.include(outcome.message, 'Unknown plugin "no-such"')
      assert.include(outcome.message, 'session-single, session-concurrent')
    }
  })

  test('a listed name that is not installed can be removed', ({ assert }) => {
    const broken = withList(`['session-resumable', 'gone-plugin']`)
    const outcome = planDisable(broken, 'gone-plugin', INSTALLED)
    assert.equal(changed(outcome), withList(`['session-resumable']`))
    assert.include(outcome.message, 'not installed')
  })

  test("refuses to disable the default policy's plugin", ({ assert }) => {
    const outcome = planDisable(CONFIG, 'session-resumable', INSTALLED)
    assert.equal(outcome.status, 'refused')
    assert.include(outcome.message, `provides the default session policy 'resumable'`)
    assert.include(outcome.message, `'single', 'concurrent'`)
  })
})
