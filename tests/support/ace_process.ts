import { execFile } from 'node:child_process'
import app from '@adonisjs/core/services/app'

export interface AceRun {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Both streams without colour codes, for messages. */
  output: string
}

/**
 * Runs `node ace.ts …` in a process of its own, exactly as a self-hoster
 * does: the app boots (or not) the way the command asks, which a command
 * run inside the test runner's booted app cannot show. Colours are off so
 * output can be matched.
 */
export function runAceProcess(
  argv: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {}
): Promise<AceRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['ace.ts', ...argv, '--no-ansi'],
      {
        cwd: app.makePath(),
        env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0
        resolve({ exitCode, stdout, stderr, output: `${stdout}\n${stderr}` })
      }
    )
  })
}
