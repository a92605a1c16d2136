import { test } from '@japa/runner'
import HeartbeatBatcher, { type BeatRequest, type BeatRow } from '#services/heartbeat_batcher'

const row = (product: number): BeatRow => ({
  expires_at: new Date(0),
  client_version: null,
  product_id: product,
})
const beat = (token: string): BeatRequest => ({ at: new Date(), tokenHash: token, licenseKey: 'K' })

/**
 * A batcher over a recording "database": each statement waits until the
 * test lets it finish, so the test sees what was in flight together.
 */
function harness(options: { maxBatch?: number; maxInFlight?: number; failBatches?: boolean } = {}) {
  const statements: string[][] = []
  const releases: Array<() => void> = []
  const hold = () => new Promise<void>((resolve) => releases.push(resolve))
  const batcher = new HeartbeatBatcher({
    maxBatch: options.maxBatch ?? 100,
    maxInFlight: options.maxInFlight ?? 1,
    async runBatch(beats) {
      statements.push(beats.map((one) => one.tokenHash))
      await hold()
      if (options.failBatches) throw new Error('batch failed')
      return new Map(
        beats.filter((one) => one.tokenHash !== 'gone').map((one) => [one.tokenHash, row(1)])
      )
    },
    async runOne(one) {
      statements.push([one.tokenHash])
      await hold()
      if (one.tokenHash === 'broken') throw new Error('broken beat')
      return one.tokenHash === 'gone' ? undefined : row(2)
    },
  })
  const releaseAll = async () => {
    while (releases.length > 0 || batcher.backlog.waiting + batcher.backlog.inFlight > 0) {
      releases.splice(0).forEach((release) => release())
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  return { batcher, statements, releaseAll, turn }
}

test.group('HeartbeatBatcher', () => {
  test('a lone beat goes alone, at once', async ({ assert }) => {
    const { batcher, statements, releaseAll, turn } = harness()
    const answer = batcher.beat(beat('a'))
    await turn()
    assert.deepEqual(statements, [['a']])
    await releaseAll()
    assert.deepEqual(await answer, row(2))
  })

  test('beats arriving while a statement is in flight share the next one', async ({ assert }) => {
    const { batcher, statements, releaseAll, turn } = harness()
    const first = batcher.beat(beat('a'))
    await turn()
    const later = ['b', 'c', 'd'].map((token) => batcher.beat(beat(token)))
    await turn()
    assert.deepEqual(statements, [['a']], 'nothing more is sent while the one statement is out')
    await releaseAll()
    assert.deepEqual(statements, [['a'], ['b', 'c', 'd']])
    assert.deepEqual(await first, row(2))
    assert.deepEqual(await Promise.all(later), [row(1), row(1), row(1)])
  })

  test('beats read in the same turn go together, up to maxBatch', async ({ assert }) => {
    const { batcher, statements, releaseAll } = harness({ maxBatch: 2, maxInFlight: 3 })
    const answers = ['a', 'b', 'c', 'd', 'e'].map((token) => batcher.beat(beat(token)))
    await releaseAll()
    assert.deepEqual(statements, [['a', 'b'], ['c', 'd'], ['e']])
    assert.lengthOf(await Promise.all(answers), 5)
  })

  test('a session never has two beats in flight, and its beats keep their order', async ({
    assert,
  }) => {
    const { batcher, statements, releaseAll } = harness({ maxInFlight: 4 })
    const answers = ['a', 'a', 'b', 'a'].map((token) => batcher.beat(beat(token)))
    await releaseAll()
    assert.deepEqual(statements, [['a', 'b'], ['a'], ['a']])
    assert.lengthOf(await Promise.all(answers), 4)
  })

  test('a beat the statement did not count answers undefined (the slow path says why)', async ({
    assert,
  }) => {
    const { batcher, releaseAll } = harness()
    const answers = ['x', 'gone', 'y'].map((token) => batcher.beat(beat(token)))
    await releaseAll()
    assert.deepEqual(await Promise.all(answers), [row(1), undefined, row(1)])
  })

  test('when a batch fails, each of its beats runs alone and gets its own outcome', async ({
    assert,
  }) => {
    const { batcher, statements, releaseAll } = harness({ failBatches: true })
    const answers = ['a', 'broken', 'gone'].map((token) =>
      batcher.beat(beat(token)).then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message })
      )
    )
    await releaseAll()
    assert.deepEqual(statements, [['a', 'broken', 'gone'], ['a'], ['broken'], ['gone']])
    assert.deepEqual(await Promise.all(answers), [
      { value: row(2) },
      { error: 'broken beat' },
      { value: undefined },
    ])
  })

  test('maxBatch 1 sends every beat alone', async ({ assert }) => {
    const { batcher, statements, releaseAll } = harness({ maxBatch: 1, maxInFlight: 2 })
    const answers = ['a', 'b', 'c'].map((token) => batcher.beat(beat(token)))
    await releaseAll()
    assert.deepEqual(statements, [['a'], ['b'], ['c']])
    assert.lengthOf(await Promise.all(answers), 3)
  })
})
