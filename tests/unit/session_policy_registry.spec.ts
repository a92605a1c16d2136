import { test } from '@japa/runner'
import { SessionPolicyRegistry } from '#services/session_policies'
import SingleSessionPolicy from '../../plugins/session-single/policy.ts'
import singlePlugin from '../../plugins/session-single/plugin.ts'
import ConcurrentSessionPolicy from '../../plugins/session-concurrent/policy.ts'
import concurrentPlugin from '../../plugins/session-concurrent/plugin.ts'
import ResumableSessionPolicy from '../../plugins/session-resumable/policy.ts'
import resumablePlugin from '../../plugins/session-resumable/plugin.ts'

test.group('Session policy registry', () => {
  test('each policy plugin declares the name its policy registers', ({ assert }) => {
    const registry = new SessionPolicyRegistry('resumable')
    for (const policy of [
      new SingleSessionPolicy(),
      new ConcurrentSessionPolicy(),
      new ResumableSessionPolicy(),
    ]) {
      registry.register(policy)
    }
    assert.doesNotThrow(() =>
      registry.assertDeclaredPoliciesRegistered([singlePlugin, concurrentPlugin, resumablePlugin])
    )
    assert.deepEqual(
      [singlePlugin, concurrentPlugin, resumablePlugin].map((plugin) => plugin.sessionPolicy),
      ['single', 'concurrent', 'resumable']
    )
  })

  test('a plugin whose provider registers another name fails the boot, naming both', ({
    assert,
  }) => {
    const registry = new SessionPolicyRegistry('single')
    registry.register(new SingleSessionPolicy())
    assert.throws(
      () => registry.assertDeclaredPoliciesRegistered([{ name: 'session-x', sessionPolicy: 'x' }]),
      'Plugin "session-x" declares the session policy "x" but registered none by that name (registered: single)'
    )
  })

  test('a name is registered once', ({ assert }) => {
    const registry = new SessionPolicyRegistry('single')
    registry.register(new SingleSessionPolicy())
    assert.throws(() => registry.register(new SingleSessionPolicy()), /registered twice/)
  })
})
