/**
 * The test suites that use the run's own database: bin/test.ts creates (and
 * drops) it only when one of them runs, and tests/bootstrap.ts migrates it
 * when the first of them starts. Unit tests of pure logic need no
 * PostgreSQL; the fault suite installs Keyward on a private cluster of its
 * own. No imports: bin/test.ts reads this before the app exists.
 */
export const DATABASE_SUITES: readonly string[] = ['functional', 'browser', 'e2e']

/** True when a run of these suites (null: all of them) needs the database. */
export function needsDatabase(suites: readonly string[] | null) {
  return suites === null || suites.some((suite) => DATABASE_SUITES.includes(suite))
}
