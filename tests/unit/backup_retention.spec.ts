import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  archiveName,
  archiveTime,
  selectForPruning,
  type RetentionCandidate,
} from '#services/backups/retention'

const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }) as DateTime<true>

/** Archives made at the given UTC times, none verified unless listed. */
function archives(times: string[], verified: string[] = []): RetentionCandidate[] {
  return times.map((time) => ({
    name: archiveName(at(time), true),
    createdAt: at(time),
    verified: verified.includes(time),
  }))
}

const nameAt = (time: string) => archiveName(at(time), true)
const utcPolicy = (keepDaily: number, keepWeekly: number, keepLast = 0) => ({
  keepLast,
  keepDaily,
  keepWeekly,
  timezone: 'UTC',
})

test.group('Backup retention', () => {
  test('names come from the clock in UTC and read back', ({ assert }) => {
    const time = DateTime.fromISO('2026-03-01T04:05:06', { zone: 'Europe/Berlin' })
    assert.equal(archiveName(time, true), 'keyward-20260301T030506Z.kwbackup')
    assert.equal(archiveName(time, false, 2), 'keyward-20260301T030506Z-2.tar')
    assert.equal(archiveTime('keyward-20260301T030506Z-2.tar')!.toISO(), '2026-03-01T03:05:06.000Z')
    assert.isNull(archiveTime('keyward-20260301T030506Z.kwbackup.partial'))
    assert.isNull(archiveTime('../keyward-20260301T030506Z.tar'))
  })

  test('keeps the newest archive of each of the last N days, and deletes the rest', ({
    assert,
  }) => {
    const list = archives([
      '2026-03-10T03:00:00',
      '2026-03-10T15:00:00',
      '2026-03-09T03:00:00',
      '2026-03-08T03:00:00',
      '2026-03-08T20:00:00',
      '2026-03-07T03:00:00',
    ])
    const selection = selectForPruning(list, utcPolicy(3, 0))
    assert.deepEqual(
      selection.keep.map((kept) => kept.name),
      [nameAt('2026-03-10T15:00:00'), nameAt('2026-03-09T03:00:00'), nameAt('2026-03-08T20:00:00')]
    )
    assert.sameMembers(selection.prune, [
      nameAt('2026-03-10T03:00:00'),
      nameAt('2026-03-08T03:00:00'),
      nameAt('2026-03-07T03:00:00'),
    ])
  })

  test('keeps the newest archive of each of the last N ISO weeks', ({ assert }) => {
    // 2026-03-02 is a Monday; 2026-03-01 a Sunday (ISO week 9).
    const list = archives([
      '2026-03-04T03:00:00', // week 10
      '2026-03-02T03:00:00', // week 10
      '2026-03-01T03:00:00', // week 9
      '2026-02-23T03:00:00', // week 9
      '2026-02-20T03:00:00', // week 8
      '2026-02-10T03:00:00', // week 7
    ])
    const selection = selectForPruning(list, utcPolicy(0, 3))
    assert.deepEqual(
      selection.keep.map((kept) => kept.name),
      [nameAt('2026-03-04T03:00:00'), nameAt('2026-03-01T03:00:00'), nameAt('2026-02-20T03:00:00')]
    )
    assert.include(selection.prune, nameAt('2026-02-10T03:00:00'))
    assert.include(selection.prune, nameAt('2026-03-02T03:00:00'))
  })

  test('days and weeks overlap: one archive may be kept for both', ({ assert }) => {
    const list = archives(['2026-03-04T03:00:00', '2026-03-03T03:00:00', '2026-02-20T03:00:00'])
    const selection = selectForPruning(list, utcPolicy(1, 2))
    assert.deepEqual(selection.keep, [
      { name: nameAt('2026-03-04T03:00:00'), reasons: ['newest', 'daily', 'weekly'] },
      { name: nameAt('2026-02-20T03:00:00'), reasons: ['weekly'] },
    ])
    assert.deepEqual(selection.prune, [nameAt('2026-03-03T03:00:00')])
  })

  test('days are counted in the configured time zone', ({ assert }) => {
    // 23:30 UTC on the 9th is already the 10th in Berlin: the same day as 03:00 UTC on the 10th.
    const list = archives(['2026-03-10T03:00:00', '2026-03-09T23:30:00', '2026-03-09T12:00:00'])
    const inUtc = selectForPruning(list, utcPolicy(2, 0))
    assert.deepEqual(inUtc.prune, [nameAt('2026-03-09T12:00:00')])
    const inBerlin = selectForPruning(list, {
      keepLast: 0,
      keepDaily: 2,
      keepWeekly: 0,
      timezone: 'Europe/Berlin',
    })
    assert.deepEqual(inBerlin.prune, [nameAt('2026-03-09T23:30:00')])
  })

  test('days without an archive do not count: a long outage keeps the older ones', ({ assert }) => {
    const list = archives(['2026-03-30T03:00:00', '2026-03-10T03:00:00', '2026-03-09T03:00:00'])
    const selection = selectForPruning(list, utcPolicy(3, 0))
    assert.deepEqual(selection.prune, [])
  })

  test('never deletes the newest verified archive, however old', ({ assert }) => {
    const list = archives(
      ['2026-03-10T03:00:00', '2026-03-09T03:00:00', '2026-03-01T03:00:00', '2026-02-01T03:00:00'],
      ['2026-03-01T03:00:00', '2026-02-01T03:00:00']
    )
    const selection = selectForPruning(list, utcPolicy(2, 0))
    assert.deepEqual(selection.prune, [nameAt('2026-02-01T03:00:00')])
    assert.deepInclude(selection.keep, {
      name: nameAt('2026-03-01T03:00:00'),
      reasons: ['newest-verified'],
    })
  })

  test('never deletes an archive being written, nor the newest one with nothing to keep', ({
    assert,
  }) => {
    const list = archives(['2026-03-10T03:00:00', '2026-03-09T03:00:00', '2026-03-08T03:00:00'])
    const selection = selectForPruning(
      list,
      utcPolicy(0, 0),
      new Set([nameAt('2026-03-08T03:00:00')])
    )
    assert.deepEqual(selection.keep, [
      { name: nameAt('2026-03-10T03:00:00'), reasons: ['newest'] },
      { name: nameAt('2026-03-08T03:00:00'), reasons: ['in-progress'] },
    ])
    assert.deepEqual(selection.prune, [nameAt('2026-03-09T03:00:00')])
  })

  test('of archives made in the same second, the one with the higher number is the newer', ({
    assert,
  }) => {
    const time = at('2026-03-01T03:00:00Z')
    const candidates = [1, 2, 10].map((sequence) => ({
      name: archiveName(time, true, sequence),
      createdAt: time,
      verified: false,
    }))
    const selection = selectForPruning(candidates, utcPolicy(1, 0))
    assert.deepEqual(
      selection.keep.map((entry) => entry.name),
      ['keyward-20260301T030000Z-10.kwbackup']
    )
    assert.sameMembers(selection.prune, [
      'keyward-20260301T030000Z.kwbackup',
      'keyward-20260301T030000Z-2.kwbackup',
    ])
  })

  test('the last N archives are kept whatever their day: an afternoon backup spares the morning', ({
    assert,
  }) => {
    const made = archives(['2026-03-02T03:00:00Z', '2026-03-02T14:00:00Z', '2026-03-01T03:00:00Z'])
    const withoutLast = selectForPruning(made, utcPolicy(7, 0))
    assert.deepEqual(withoutLast.prune, [nameAt('2026-03-02T03:00:00Z')])
    const withLast = selectForPruning(made, utcPolicy(7, 0, 2))
    assert.deepEqual(withLast.prune, [])
    assert.deepEqual(
      withLast.keep.find((entry) => entry.name === nameAt('2026-03-02T03:00:00Z'))!.reasons,
      ['last']
    )
  })

  test('nothing to do without archives', ({ assert }) => {
    assert.deepEqual(selectForPruning([], utcPolicy(7, 4)), { keep: [], prune: [] })
  })
})
