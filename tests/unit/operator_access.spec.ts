import { test } from '@japa/runner'
import { OperatorAccess, parseAllowList } from '#support/operator_access'

test.group('Operator access (METRICS_TOKEN, METRICS_ALLOW)', () => {
  test('addresses and CIDR ranges of both families are allowed, others are not', ({ assert }) => {
    const access = new OperatorAccess({
      token: null,
      allow: '127.0.0.1, 10.20.0.0/16,::1,fd00:1::/32',
    })
    assert.isTrue(access.allowsAddress('127.0.0.1'))
    assert.isTrue(access.allowsAddress('10.20.255.7'))
    assert.isTrue(access.allowsAddress('::1'))
    assert.isTrue(access.allowsAddress('fd00:1:abcd::9'))
    // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
    assert.isTrue(access.allowsAddress('::ffff:10.20.1.1'))
    assert.isFalse(access.allowsAddress('127.0.0.2'))
    assert.isFalse(access.allowsAddress('10.21.0.1'))
    assert.isFalse(access.allowsAddress('fd00:2::1'))
    assert.isFalse(access.allowsAddress('not-an-address'))
  })

  test('the bearer token must match exactly; without METRICS_TOKEN no token counts', ({
    assert,
  }) => {
    const access = new OperatorAccess({ token: 'secret-token-value', allow: '' })
    assert.isTrue(access.hasToken('Bearer secret-token-value'))
    assert.isTrue(access.hasToken('bearer secret-token-value'))
    assert.isFalse(access.hasToken('Bearer secret-token-valu'))
    assert.isFalse(access.hasToken('Bearer secret-token-value-and-more'))
    assert.isFalse(access.hasToken('secret-token-value'))
    assert.isFalse(access.hasToken('Basic c2VjcmV0'))
    assert.isFalse(access.hasToken(undefined))
    assert.isFalse(access.allowsAddress('127.0.0.1'))

    const tokenless = new OperatorAccess({ token: null, allow: '' })
    assert.isFalse(tokenless.hasToken('Bearer '))
    assert.isFalse(tokenless.hasToken('Bearer anything'))
  })

  test('a malformed METRICS_ALLOW entry is refused with its text', ({ assert }) => {
    for (const entry of ['10.0.0.0/33', 'example.com', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x']) {
      assert.throws(() => parseAllowList(`127.0.0.1,${entry}`), new RegExp(`"${entry}"`))
    }
    assert.lengthOf(parseAllowList(' , 127.0.0.1 ,'), 1)
  })
})
