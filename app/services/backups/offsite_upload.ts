import { spawn } from 'node:child_process'
import { tail } from './postgres_tools.js'

/** This process's secrets; the upload command needs none of them to copy a file. */
const UPLOAD_ENV_SECRETS = ['APP_KEY', 'BACKUP_KEY', 'LEASE_KEYRING', 'DATABASE_URL', 'PGPASSWORD']

export interface UploadCommand {
  /** BACKUP_UPLOAD_COMMAND, run by /bin/sh. */
  command: string
  cwd: string
  timeoutMs: number
}

/**
 * Runs the upload command with the archive as $1 and $BACKUP_FILE.
 * Resolves with null when it exits 0, else with why it failed (its exit
 * code and the last lines of its stderr); a failed upload is the caller's
 * to record, it never rejects.
 */
export async function uploadArchive(path: string, upload: UploadCommand): Promise<string | null> {
  const env: NodeJS.ProcessEnv = { ...process.env, BACKUP_FILE: path }
  for (const secret of UPLOAD_ENV_SECRETS) delete env[secret]
  const outcome = await new Promise<{ code: number | null; stderr: string; error?: Error }>(
    (resolve) => {
      const child = spawn('/bin/sh', ['-c', upload.command, 'sh', path], {
        env,
        cwd: upload.cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: upload.timeoutMs,
      })
      let stderr = ''
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)))
      child.once('error', (error) => resolve({ code: null, stderr, error }))
      child.once('close', (code) => resolve({ code, stderr }))
    }
  )
  if (outcome.code === 0) return null
  const why = outcome.error?.message ?? `exit code ${outcome.code ?? 'none (killed)'}`
  const lines = tail(outcome.stderr, 10, 1500)
  return lines ? `${why}: ${lines}` : why
}
