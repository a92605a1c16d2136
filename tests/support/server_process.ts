import type { ChildProcess } from 'node:child_process'
import app from '@adonisjs/core/services/app'
import { freePort } from '../../bin/preflight.ts'
import { spawnTracked } from './child_processes.ts'

/** The last this many characters of a process' output are kept for messages and log checks. */
const KEPT_OUTPUT = 4 * 1024 * 1024

export interface AppProcess {
  child: ChildProcess
  pid: number
  /** Everything it wrote to stdout and stderr so far (logs are JSON lines in production). */
  output(): string
  /** Its JSON log lines so far. */
  logLines(): Array<{ level: number; msg: string } & Record<string, unknown>>
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>
  /** SIGKILL (kill -9), and waits for the exit. */
  kill(): Promise<void>
}

export interface ServerProcess extends AppProcess {
  url: string
  port: number
}

/**
 * Starts `node <args>` in the app's folder as a program of its own, with
 * its output kept.
 */
export function spawnAppProcess(args: string[], env: Record<string, string>): AppProcess {
  const child = spawnTracked(process.execPath, args, {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => {
    output += chunk
    if (output.length > KEPT_OUTPUT) output = output.slice(-KEPT_OUTPUT)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
  const send = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  return {
    child,
    pid: child.pid!,
    output: () => output,
    logLines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line)]
          } catch {
            return []
          }
        }),
    stop: () => send('SIGTERM'),
    kill: () => send('SIGKILL'),
  }
}

/**
 * A separate server process (`bin/server.ts`), by default on the run's
 * database and Redis prefix, for proving that limits hold across processes
 * rather than in memory, and for fault tests that kill or starve it.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort()
  const server = spawnAppProcess(['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  })
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 30_000
  while (true) {
    if (server.child.exitCode !== null) {
      throw new Error(`server process exited: ${server.output()}`)
    }
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) break
    } catch {}
    if (Date.now() > deadline) {
      await server.kill()
      throw new Error(`server process did not come up: ${server.output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { ...server, url, port }
}
