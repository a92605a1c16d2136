import { test } from '@japa/runner'
import { templateSettingsAfter } from '#services/license_admin_service'

const template = { maxDevices: 3, maxSessions: 2, sessionPolicy: 'concurrent' }
const following = { ...template, templateOverrides: [] as string[] }

test.group('A license edit against its template (templateSettingsAfter)', () => {
  test("a field left as it was keeps following; a changed one becomes the license's own value", ({
    assert,
  }) => {
    assert.deepEqual(
      templateSettingsAfter(following, template, {
        maxDevices: 3,
        maxSessions: 2,
        sessionPolicy: 'concurrent',
      }),
      { max_devices: 3, max_sessions: 2, session_policy: 'concurrent', overrides: [] }
    )
    assert.deepEqual(
      templateSettingsAfter(following, template, {
        maxDevices: 5,
        maxSessions: 2,
        sessionPolicy: null,
      }),
      {
        max_devices: 5,
        max_sessions: 2,
        session_policy: null,
        overrides: ['max_devices', 'session_policy'],
      }
    )
  })

  test('following again takes the template value and drops the override, whatever the form sent', ({
    assert,
  }) => {
    const own = {
      maxDevices: 5,
      maxSessions: 4,
      sessionPolicy: null,
      templateOverrides: ['max_devices', 'max_sessions'],
    }
    assert.deepEqual(
      templateSettingsAfter(own, template, {
        maxDevices: 6,
        maxSessions: 4,
        followTemplate: ['max_devices'],
      }),
      { max_devices: 3, max_sessions: 4, session_policy: null, overrides: ['max_sessions'] }
    )
  })

  test('an override stays an override when its value changes again, or not at all', ({
    assert,
  }) => {
    const own = { ...template, maxSessions: 1, templateOverrides: ['max_sessions'] }
    assert.deepEqual(templateSettingsAfter(own, template, { maxSessions: 1 }).overrides, [
      'max_sessions',
    ])
    assert.deepEqual(templateSettingsAfter(own, template, { maxSessions: 2 }), {
      max_devices: 3,
      max_sessions: 2,
      session_policy: 'concurrent',
      overrides: ['max_sessions'],
    })
  })

  test('without a template nothing is followed or overridden', ({ assert }) => {
    assert.deepEqual(
      templateSettingsAfter(following, null, { maxDevices: 4, followTemplate: ['max_sessions'] }),
      { max_devices: 4, max_sessions: 2, session_policy: 'concurrent', overrides: [] }
    )
  })
})
