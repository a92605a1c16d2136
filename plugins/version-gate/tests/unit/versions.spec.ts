import { test } from '@japa/runner'
import { compareVersions, normalizeVersion } from '../../versions.ts'

test.group('version-gate: reading versions', () => {
  test('{input} reads as {expected}')
    .with([
      { input: '1.4.2', expected: '1.4.2' },
      { input: 'v1.4.2', expected: '1.4.2' },
      { input: ' 2.0 ', expected: '2.0.0' },
      { input: '3', expected: '3.0.0' },
      { input: '1.10.0-rc.1', expected: '1.10.0-rc.1' },
      { input: '1.0.0+build.7', expected: '1.0.0+build.7' },
      { input: 'v2-beta', expected: '2.0.0-beta' },
    ])
    .run(({ assert }, { input, expected }) => {
      assert.equal(normalizeVersion(input), expected)
    })

  test('{input} is not a version')
    .with([
      { input: '' },
      { input: 'latest' },
      { input: '1.2.3.4' },
      { input: '01.2.3' },
      { input: '1.2.3-' },
      { input: '1.2.3-01' },
      { input: '1..2' },
      { input: '1.2.3 beta' },
      { input: `1.2.3-${'a'.repeat(80)}` },
    ])
    .run(({ assert }, { input }) => {
      assert.isNull(normalizeVersion(input))
    })

  test('{older} < {newer}')
    .with([
      { older: '1.9.9', newer: '1.10.0' },
      { older: '1.2.3-alpha', newer: '1.2.3' },
      { older: '1.2.3-alpha', newer: '1.2.3-alpha.1' },
      { older: '1.2.3-alpha.beta', newer: '1.2.3-beta' },
      { older: '1.2.3-beta.2', newer: '1.2.3-beta.11' },
      { older: '1.2.3-rc.1', newer: '1.2.3' },
      { older: '0.9.0', newer: '1.0.0-alpha' },
    ])
    .run(({ assert }, { older, newer }) => {
      assert.isBelow(compareVersions(older, newer), 0)
      assert.isAbove(compareVersions(newer, older), 0)
    })

  test('build metadata does not order: {a} = {b}')
    .with([
      { a: '1.0.0+build.1', b: '1.0.0+build.2' },
      { a: '1.0.0+sha.abc', b: '1.0.0' },
    ])
    .run(({ assert }, { a, b }) => {
      assert.equal(compareVersions(a, b), 0)
    })
})
