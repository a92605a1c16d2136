/*
| First step of `npm run quickstart`: make sure `.env` has an APP_KEY, that
| PostgreSQL and Redis answer, and that the database exists. Runs before the
| application boots, so it reads `.env` itself.
*/
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, appendFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { checkRedis, ensureDatabase, PreflightError } from './preflight.ts'

const envFile = new URL('../.env', import.meta.url)
const fileValues = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {}
const setting = (name: string) => process.env[name] ?? fileValues[name]

if (!setting('APP_KEY')) {
  const key = randomBytes(32).toString('base64url')
  appendFileSync(envFile, `${existsSync(envFile) ? '\n' : ''}APP_KEY=${key}\n`)
  console.log('Generated APP_KEY and saved it to .env (keep it: it encrypts secrets).')
}

try {
  const database = await ensureDatabase(
    setting('DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/keyward'
  )
  if (database.created) console.log(`Created database "${database.name}".`)
  await checkRedis(setting('REDIS_URL') ?? 'redis://127.0.0.1:6379/0')
} catch (error) {
  if (error instanceof PreflightError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
