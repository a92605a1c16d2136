import { EventEmitter } from 'node:events'
import { test } from '@japa/runner'
import { Logger } from '@adonisjs/core/logger'
import ServiceHealth from '#services/service_health'
import { DependencyUnavailableError, unavailableDependencyOf } from '#support/unavailable'
import { isAnonymousSession } from '#support/split_session_store'
import { formPageOf } from '#exceptions/handler'

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code })
const named = (message: string, name: string) => Object.assign(new Error(message), { name })

test.group('unavailableDependencyOf', () => {
  test('{what} means the {expected} is away')
    .with([
      {
        what: 'a refused connection',
        error: withCode('connect ECONNREFUSED', 'ECONNREFUSED'),
        expected: 'database',
      },
      {
        what: 'a server shutting down',
        error: withCode('terminating connection due to administrator command', '57P01'),
        expected: 'database',
      },
      {
        what: 'a server starting up',
        error: withCode('the database system is starting up', '57P03'),
        expected: 'database',
      },
      {
        what: 'no connection slot left',
        error: withCode('too many clients already', '53300'),
        expected: 'database',
      },
      {
        what: 'a connection exception',
        error: withCode('connection failure', '08006'),
        expected: 'database',
      },
      {
        what: 'a dropped connection',
        error: new Error('Connection terminated unexpectedly'),
        expected: 'database',
      },
      {
        what: 'a dropped connection under a statement (as knex words it)',
        error: new Error(
          'select * from "licenses" where "key" = $1 limit $2 for update - Connection terminated unexpectedly'
        ),
        expected: 'database',
      },
      {
        what: 'a broken client under a statement',
        error: new Error(
          'update "devices" set "active" = $1 where "id" = $5 - Client has encountered a connection error and is not queryable'
        ),
        expected: 'database',
      },
      {
        what: 'a pool that waited too long',
        error: named(
          'Knex: Timeout acquiring a connection. The pool is probably full.',
          'KnexTimeoutError'
        ),
        expected: 'database',
      },
      {
        what: 'a refusal wrapped in a cause',
        error: new Error('query failed', { cause: withCode('x', 'ECONNREFUSED') }),
        expected: 'database',
      },
      {
        what: 'several refused addresses',
        error: new AggregateError([withCode('a', 'ECONNREFUSED')], 'all failed'),
        expected: 'database',
      },
      {
        what: 'a closed Redis connection',
        error: new Error('Connection is closed.'),
        expected: 'redis',
      },
      {
        what: 'a Redis command that timed out',
        error: new Error('Command timed out'),
        expected: 'redis',
      },
      {
        what: 'a Redis command out of retries',
        error: named(
          'Reached the max retries per request limit (which is 1).',
          'MaxRetriesPerRequestError'
        ),
        expected: 'redis',
      },
      {
        what: 'a refusal the app raised itself',
        error: new DependencyUnavailableError('redis'),
        expected: 'redis',
      },
    ])
    .run(({ assert }, { error, expected }) => {
      assert.equal(unavailableDependencyOf(error), expected)
    })

  test('{what} is not an outage')
    .with([
      { what: 'a unique violation', error: withCode('duplicate key value', '23505') },
      { what: 'a syntax error', error: withCode('syntax error at or near', '42601') },
      { what: 'a check violation', error: withCode('violates check constraint', '23514') },
      { what: 'a plain error', error: new TypeError('x is not a function') },
      {
        what: 'a statement that only mentions the words',
        error: new Error('select \'Connection terminated\' - 1 - column "x" does not exist'),
      },
      { what: 'a string', error: 'boom' },
      { what: 'nothing', error: undefined },
    ])
    .run(({ assert }, { error }) => {
      assert.isNull(unavailableDependencyOf(error))
    })
})

test.group('ServiceHealth', () => {
  /** A logger whose lines the test reads. */
  function recordingLogger() {
    const lines: { level: number; msg: string }[] = []
    const logger = new Logger({
      enabled: true,
      level: 'trace',
      desination: { write: (line: string) => lines.push(JSON.parse(line)) },
    } as any)
    return { logger, lines }
  }

  test('one warning when Redis goes, none per reconnect attempt, one when it is back', ({
    assert,
  }) => {
    const { logger, lines } = recordingLogger()
    let now = 1_000_000
    const health = new ServiceHealth(logger, () => now)
    const connection = new EventEmitter()
    health.watchRedis(connection as any)

    connection.emit('ready')
    assert.isFalse(health.isDown('redis'))
    assert.lengthOf(lines, 0)

    for (let attempt = 0; attempt < 11; attempt++) {
      connection.emit('reconnecting')
      connection.emit('error', { error: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })
      now += 1000
    }
    assert.isTrue(health.isDown('redis'))
    assert.deepEqual(health.downSince('redis'), new Date(1_000_000))
    connection.emit('ready')
    assert.isFalse(health.isDown('redis'))

    assert.deepEqual(
      lines.map((line) => [line.level, line.msg]),
      [
        [40, 'Redis is unreachable'],
        [40, 'Redis is reachable again after 11.0 s'],
      ]
    )
  })

  test('the database pool: down when it cannot connect, up at its next new connection', ({
    assert,
  }) => {
    const { logger, lines } = recordingLogger()
    const health = new ServiceHealth(logger)
    const pool = new EventEmitter()
    health.watchDatabasePool(pool as any)
    pool.emit('createSuccess')
    assert.lengthOf(lines, 0)
    pool.emit('createFail', 1, withCode('connect ECONNREFUSED', 'ECONNREFUSED'))
    pool.emit('createFail', 2, withCode('connect ECONNREFUSED', 'ECONNREFUSED'))
    assert.isTrue(health.isDown('database'))
    pool.emit('createSuccess')
    assert.isFalse(health.isDown('database'))
    assert.deepEqual(
      lines.map((line) => line.msg.replace(/[0-9.]+ s$/, 'N s')),
      ['PostgreSQL is unreachable', 'PostgreSQL is reachable again after N s']
    )
  })
})

test.group('Panel sessions and forms', () => {
  test('a session is anonymous until it holds more than a CSRF secret, flash and a return path', ({
    assert,
  }) => {
    assert.isTrue(isAnonymousSession({}))
    assert.isTrue(
      isAnonymousSession({
        'csrf-secret': 'x',
        '__flash__': { error: 'e' },
        'redirect': { intendedUrl: '/admin/licenses' },
      })
    )
    assert.isFalse(isAnonymousSession({ 'csrf-secret': 'x', 'auth_web': 1 }))
    assert.isFalse(isAnonymousSession({ login: { pending: { adminId: 1, since: 0 } } }))
    assert.isFalse(isAnonymousSession({ 'anything-new': true }), 'unknown keys stay on the server')
  })

  test('a form that failed its CSRF check goes back to {expected} ({why})')
    .with([
      {
        why: 'a panel page on this host',
        referer: 'http://k.example/admin/licenses?page=2',
        posted: '/admin/licenses/bulk',
        expected: '/admin/licenses?page=2',
      },
      {
        why: 'the login form, no Referer',
        referer: undefined,
        posted: '/admin/login',
        expected: '/admin/login',
      },
      {
        why: 'the second factor, no Referer',
        referer: undefined,
        posted: '/admin/login/two-factor',
        expected: '/admin/login',
      },
      {
        why: 'another host',
        referer: 'https://evil.example/admin/login',
        posted: '/admin/login',
        expected: '/admin/login',
      },
      {
        why: 'a page outside the panel',
        referer: 'http://k.example/elsewhere',
        posted: '/admin/customers',
        expected: '/admin',
      },
      {
        why: 'a path that only starts like the panel',
        referer: 'http://k.example/administrator',
        posted: '/admin/customers',
        expected: '/admin',
      },
      {
        why: 'a Referer that is no URL',
        referer: 'not a url',
        posted: '/admin/customers',
        expected: '/admin',
      },
    ])
    .run(({ assert }, { referer, posted, expected }) => {
      assert.equal(formPageOf(referer, 'k.example', posted), expected)
    })
})
