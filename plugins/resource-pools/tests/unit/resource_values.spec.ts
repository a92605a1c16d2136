import { test } from '@japa/runner'
import { defineConfig } from '../../define_config.js'
import {
  normalizeDomain,
  normalizeIpv4,
  normalizePhone,
  normalizeValue,
} from '../../services/resource_values.js'

const values = (result: ReturnType<typeof normalizeDomain>) =>
  'values' in result ? result.values : result.problem

test.group('resource-pools: normalizing values', () => {
  test('domains: IDN to punycode, lower case, no trailing dot', ({ assert }) => {
    assert.deepEqual(values(normalizeDomain('Bücher.Example.')), ['xn--bcher-kva.example'])
    assert.deepEqual(values(normalizeDomain('  SHOP.example.COM ')), ['shop.example.com'])
    assert.deepEqual(values(normalizeDomain('xn--bcher-kva.example')), ['xn--bcher-kva.example'])
    for (const bad of [
      '',
      'localhost',
      'a..b',
      '-a.com',
      'a-.com',
      'http://a.com',
      'a b.com',
      '1.2.3.4',
      `${'a'.repeat(64)}.com`,
    ]) {
      assert.equal(values(normalizeDomain(bad)), 'domain_invalid', bad)
    }
  })

  test('IPv4: dotted form; a CIDR range is its usable addresses, with a cap', ({ assert }) => {
    assert.deepEqual(values(normalizeIpv4(' 192.0.2.7 ', 1024)), ['192.0.2.7'])
    for (const bad of [
      '192.0.2',
      '192.0.2.256',
      '01.2.3.4',
      '1.2.3.4/33',
      '1.2.3.4/',
      'a.b.c.d',
      '1.2.3.4/8/1',
    ]) {
      assert.equal(values(normalizeIpv4(bad, 1024)), 'ipv4_invalid', bad)
    }
    assert.deepEqual(values(normalizeIpv4('192.0.2.0/30', 1024)), ['192.0.2.1', '192.0.2.2'])
    assert.deepEqual(values(normalizeIpv4('192.0.2.4/31', 1024)), ['192.0.2.4', '192.0.2.5'])
    assert.deepEqual(values(normalizeIpv4('192.0.2.9/32', 1024)), ['192.0.2.9'])
    const range = normalizeIpv4('10.0.0.0/22', 1022)
    assert.lengthOf('values' in range ? range.values : [], 1022)
    assert.deepEqual(normalizeIpv4('10.0.0.0/22', 1000), {
      problem: 'ipv4_range_too_large',
      data: { size: 1022, max: 1000 },
    })
    assert.deepEqual(normalizeIpv4('10.0.0.5/24', 1024), {
      problem: 'ipv4_not_network',
      data: { network: '10.0.0.0/24' },
    })
  })

  test('phone numbers: E.164, checked against the numbering plan', ({ assert }) => {
    assert.deepEqual(values(normalizePhone('+49 30 1234567', null)), ['+49301234567'])
    assert.deepEqual(values(normalizePhone('(030) 1234567', 'DE')), ['+49301234567'])
    assert.deepEqual(values(normalizePhone('+1 (415) 555-2671', null)), ['+14155552671'])
    assert.equal(values(normalizePhone('030 1234567', null)), 'phone_invalid')
    assert.equal(values(normalizePhone('+49 12', null)), 'phone_invalid')
    assert.equal(values(normalizePhone('call me', null)), 'phone_invalid')
  })

  test('types of the config match their pattern; unknown types are refused', ({ assert }) => {
    const config = defineConfig({
      types: { sip_trunk: { pattern: 'trunk-[0-9]{3}', label: 'SIP trunks' } },
    })
    assert.deepEqual(Object.keys(config.types), ['domain', 'ipv4', 'phone', 'sip_trunk'])
    assert.deepEqual(values(normalizeValue('sip_trunk', ' trunk-042 ', config)), ['trunk-042'])
    assert.equal(values(normalizeValue('sip_trunk', 'trunk-42', config)), 'pattern_mismatch')
    assert.equal(values(normalizeValue('fax', '1', config)), 'unknown_type')
  })

  test('the settings are checked, naming what is wrong', ({ assert }) => {
    const defaults = defineConfig({})
    assert.equal(defaults.onReport, 'replace')
    assert.equal(defaults.maxRangeSize, 1024)
    assert.deepInclude(defaults.types.phone, { onRelease: 'quarantine', quarantineHours: 2160 })
    assert.throws(
      () => defineConfig({ onReport: 'ignore' }),
      /onReport must be 'flag' or 'replace'/
    )
    assert.throws(
      () => defineConfig({ types: { ipv4: { onRelease: 'trash' } } }),
      /types.ipv4.onRelease must be/
    )
    assert.throws(() => defineConfig({ types: { fax: {} } }), /types.fax.pattern must be/)
    assert.throws(() => defineConfig({ types: { Fax: { pattern: 'x' } } }), /snake_case/)
    assert.throws(() => defineConfig({ maxRangeSize: 0 }), /maxRangeSize must be/)
    assert.throws(() => defineConfig({ phoneRegion: 'germany' }), /phoneRegion must be/)
  })
})
