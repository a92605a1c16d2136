import { test } from '@japa/runner'
import { MAX_ATTEMPTS, nominalSchedule, retryDelayMs } from '../../services/retry_schedule.js'

const MINUTE = 60_000
const HOUR = 3_600_000

test.group('notifications: retry schedule', () => {
  test('doubles from one minute, capped at eight hours, past a day', ({ assert }) => {
    assert.deepEqual(
      nominalSchedule().map((ms) => ms / MINUTE),
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 480, 480, 480]
    )
    assert.isAtLeast(MAX_ATTEMPTS, 10)
    const total = nominalSchedule().reduce((sum, ms) => sum + ms, 0)
    assert.isAbove(total, 24 * HOUR)
    // Even with every delay 20 % short, the last attempt comes after a day
    // of failures, when a failing endpoint is switched off.
    const earliest = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, index) =>
      retryDelayMs(index + 1, () => 0)
    ).reduce((sum, ms) => sum! + ms!, 0)!
    assert.isAbove(earliest, 24 * HOUR)
    assert.isBelow(total, 36 * HOUR)
  })

  test('jitter stays within ±20 % and spreads the delays', ({ assert }) => {
    assert.equal(
      retryDelayMs(1, () => 0),
      48_000
    )
    assert.equal(
      retryDelayMs(1, () => 0.999_999),
      72_000
    )
    assert.equal(
      retryDelayMs(10, () => 0.5),
      8 * HOUR
    )
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(3)))
    assert.isAbove(spread.size, 1)
    for (const delay of spread) {
      assert.isAtLeast(delay!, 4 * MINUTE * 0.8)
      assert.isAtMost(delay!, 4 * MINUTE * 1.2)
    }
  })

  test('the last attempt has no next one; nonsense attempt numbers are refused', ({ assert }) => {
    assert.isNotNull(retryDelayMs(MAX_ATTEMPTS - 1))
    assert.isNull(retryDelayMs(MAX_ATTEMPTS))
    assert.throws(() => retryDelayMs(0), /attempt must be/)
    assert.throws(() => retryDelayMs(1.5), /attempt must be/)
  })
})
