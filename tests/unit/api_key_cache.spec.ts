import { test } from '@japa/runner'
import ApiKeyCache from '#services/api_key_cache'

const key = (id: number) => ({ id, name: `key ${id}` })

function cacheAt(options: { ttlMs?: number; maxEntries?: number } = {}) {
  const clock = { now: 1_000_000 }
  const cache = new ApiKeyCache({
    ttlMs: options.ttlMs ?? 1000,
    maxEntries: options.maxEntries ?? 100,
    now: () => clock.now,
  })
  return { cache, clock }
}

test.group('ApiKeyCache', () => {
  test('remembers nothing until it is live (subscribed to revocations)', ({ assert }) => {
    const { cache } = cacheAt()
    cache.set('a', key(1))
    assert.isUndefined(cache.get('a'))
    cache.setLive(true)
    cache.set('a', key(1))
    assert.deepEqual(cache.get('a'), key(1))
  })

  test('an entry lives ttlMs, not a millisecond longer', ({ assert }) => {
    const { cache, clock } = cacheAt({ ttlMs: 1000 })
    cache.setLive(true)
    cache.set('a', key(1))
    clock.now += 999
    assert.deepEqual(cache.get('a'), key(1))
    clock.now += 1
    assert.isUndefined(cache.get('a'))
    assert.equal(cache.size, 0)
  })

  test('going off forgets everything, and so does coming back', ({ assert }) => {
    const { cache } = cacheAt()
    cache.setLive(true)
    cache.set('a', key(1))
    cache.setLive(false)
    assert.isUndefined(cache.get('a'))
    cache.setLive(true)
    assert.isUndefined(cache.get('a'))
  })

  test('forget drops one key and leaves the others', ({ assert }) => {
    const { cache } = cacheAt()
    cache.setLive(true)
    cache.set('a', key(1))
    cache.set('b', key(2))
    cache.forget('a')
    assert.isUndefined(cache.get('a'))
    assert.deepEqual(cache.get('b'), key(2))
  })

  test('holds maxEntries at most, dropping the oldest first', ({ assert }) => {
    const { cache } = cacheAt({ maxEntries: 2 })
    cache.setLive(true)
    cache.set('a', key(1))
    cache.set('b', key(2))
    cache.set('c', key(3))
    assert.equal(cache.size, 2)
    assert.isUndefined(cache.get('a'))
    assert.deepEqual(cache.get('c'), key(3))
  })

  test('a time of 0 switches it off', ({ assert }) => {
    const { cache } = cacheAt({ ttlMs: 0 })
    cache.setLive(true)
    cache.set('a', key(1))
    assert.isUndefined(cache.get('a'))
  })
})
