import { test } from '@japa/runner'
import {
  AddressRefused,
  isLoopbackHost,
  isPrivateAddress,
  resolvePublicAddress,
} from '../../services/address_guard.js'

test.group('notifications: SSRF address guard', () => {
  test('loopback, link-local, private and unique-local addresses are private', ({ assert }) => {
    for (const address of [
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd12:3456::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '[::1]',
    ]) {
      assert.isTrue(isPrivateAddress(address), address)
    }
  })

  test('public addresses are not', ({ assert }) => {
    for (const address of [
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
    ]) {
      assert.isFalse(isPrivateAddress(address), address)
    }
  })

  test('a host resolving to a private address is refused unless allowed', async ({ assert }) => {
    await assert.rejects(
      () => resolvePublicAddress('localhost', { allowPrivate: false }),
      AddressRefused
    )
    await assert.rejects(
      () => resolvePublicAddress('169.254.169.254', { allowPrivate: false }),
      AddressRefused
    )
    const allowed = await resolvePublicAddress('127.0.0.1', { allowPrivate: true })
    assert.deepEqual(allowed, { address: '127.0.0.1', family: 4 })
    assert.deepEqual(await resolvePublicAddress('8.8.8.8', { allowPrivate: false }), {
      address: '8.8.8.8',
      family: 4,
    })
  })

  test('loopback hosts, for plain HTTP outside production', ({ assert }) => {
    assert.isTrue(isLoopbackHost('localhost'))
    assert.isTrue(isLoopbackHost('127.0.0.1'))
    assert.isTrue(isLoopbackHost('[::1]'))
    assert.isFalse(isLoopbackHost('10.0.0.1'))
    assert.isFalse(isLoopbackHost('example.com'))
    assert.isFalse(isLoopbackHost('localhost.example.com'))
  })
})
