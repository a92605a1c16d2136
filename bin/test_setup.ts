/*
| First step of `npm test`, before the type check and the linters: are
| PostgreSQL and Redis reachable, and are the programs the suites drive
| (Chromium, redis-server, PostgreSQL's initdb) installed? Missing Debian
| packages are installed when this runs as root or with passwordless sudo;
| otherwise it stops at once with one line that says what to install.
| Node runs this file directly (erasable TypeScript only).
*/
import { checkPostgres, checkRedis, ensureSystemTools, PreflightError } from './preflight.ts'

try {
  await checkPostgres(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/keyward')
  await checkRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0')
  ensureSystemTools(null)
} catch (error) {
  if (error instanceof PreflightError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
