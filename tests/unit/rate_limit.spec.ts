import { test } from '@japa/runner'
import { parseRateLimit } from '#support/rate_limit'

test.group('parseRateLimit', () => {
  test('"{value}" allows {requests} requests in {durationSeconds}s')
    .with([
      { value: '100 per minute', requests: 100, durationSeconds: 60 },
      { value: '20/second', requests: 20, durationSeconds: 1 },
      { value: '20 / second', requests: 20, durationSeconds: 1 },
      { value: '1000 per 1 hour', requests: 1000, durationSeconds: 3600 },
      { value: '5 per 10 minutes', requests: 5, durationSeconds: 600 },
      { value: '50 per 2 days', requests: 50, durationSeconds: 172_800 },
      { value: '10/min', requests: 10, durationSeconds: 60 },
      { value: '3 per h', requests: 3, durationSeconds: 3600 },
      { value: '  100 PER Minute  ', requests: 100, durationSeconds: 60 },
    ])
    .run(({ assert }, { value, requests, durationSeconds }) => {
      assert.deepEqual(parseRateLimit(value), { requests, durationSeconds })
    })

  test('"{$self}" switches the limit off')
    .with(['0', 'off', 'OFF', ' 0 ', ''])
    .run(({ assert }, value) => {
      assert.isNull(parseRateLimit(value))
    })

  test('"{$self}" is refused')
    .with([
      'garbage',
      '100',
      'per minute',
      '100 per',
      '100 per fortnight',
      '0 per minute',
      '-5 per minute',
      '1.5 per second',
      '100 minutes',
      '100 per minute extra',
      '100 per 0 minutes',
    ])
    .run(({ assert }, value) => {
      assert.throws(() => parseRateLimit(value), /Invalid rate limit/)
    })
})
