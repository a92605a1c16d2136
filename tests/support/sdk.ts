import { execFile, type ChildProcess } from 'node:child_process'
import { mkdir, symlink } from 'node:fs/promises'
import { promisify } from 'node:util'
import app from '@adonisjs/core/services/app'
import type { Group } from '@japa/runner/core'
import { LicenseClient, MemoryStore, type LicenseClientOptions } from '../../sdk/src/index.ts'
import { signalGroup, spawnTracked } from './child_processes.ts'
import { baseUrl, newApiKey } from '#tests/support/fixtures'

const run = promisify(execFile)

let built: Promise<unknown> | null = null

/** Builds `sdk/dist` once per run: the processes under test load the built package. */
export function buildSdk() {
  built ??= run(app.makePath('node_modules/.bin/tsc'), ['-p', app.makePath('sdk/tsconfig.json')])
  return built
}

/**
 * What `npm install` does for the example's `file:../../sdk` dependency: a
 * link in its node_modules, so `import '@keyward/client'` finds the SDK.
 */
export async function linkExampleToSdk() {
  const scope = app.makePath('examples/launcher-and-bot/node_modules/@keyward')
  await mkdir(scope, { recursive: true })
  await symlink(app.makePath('sdk'), `${scope}/client`, 'dir').catch((error) => {
    if (error.code !== 'EEXIST') throw error
  })
}

export type LogLine = { who?: string; event: string; [key: string]: any }

/**
 * A program under test: its JSON log lines are collected as they come, and
 * a test waits for the line it expects.
 */
export class ProgramProcess {
  readonly lines: LogLine[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  protected waiters: Array<() => void> = []
  protected child: ChildProcess
  stderr = ''

  constructor(script: string, env: Record<string, string>) {
    this.child = spawnTracked(process.execPath, [script], {
      cwd: app.makePath(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let pending = ''
    this.child.stdout!.on('data', (chunk) => {
      pending += chunk
      const complete = pending.split('\n')
      pending = complete.pop()!
      for (const line of complete) {
        if (!line.trim()) continue
        try {
          this.lines.push(JSON.parse(line))
        } catch {
          this.lines.push({ event: 'text', text: line })
        }
      }
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.child.stderr!.on('data', (chunk) => (this.stderr += chunk))
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        for (const wake of this.waiters.splice(0)) wake()
        resolve({ code, signal })
      })
    )
  }

  get pid() {
    return this.child.pid!
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** The first line (after `from` lines) that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (line: LogLine) => boolean, timeoutMs = 15_000, from = 0) {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const found = this.lines.slice(from).find(match)
      if (found) return found
      if (!this.running && this.child.stdout!.readableEnded) {
        throw new Error(
          `exited without the expected line: ${JSON.stringify(this.lines)} ${this.stderr}`
        )
      }
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new Error(`timed out: ${JSON.stringify(this.lines)} ${this.stderr}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250))
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Signals the program alone, as a user or a crash would. */
  kill(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.running) this.child.kill(signal)
  }

  /** Kills the program and whatever it started, and waits for it to go. */
  async killAll() {
    signalGroup(this.child, 'SIGKILL')
    await this.exited
  }
}

/** One SDK call in its own process (tests/fixtures/sdk/client.mjs). */
export async function sdkCall(
  call: string,
  options: Record<string, unknown>,
  env: Record<string, string> = {}
): Promise<{ ok: boolean; result?: any; code?: string }> {
  const program = new ProgramProcess(app.makePath('tests/fixtures/sdk/client.mjs'), {
    ...env,
    SDK_CALL: call,
    SDK_OPTIONS: JSON.stringify(options),
  })
  const { code } = await program.exited
  const line = program.lines.at(-1)
  if (code !== 0 || !line) throw new Error(`SDK process failed (${code}): ${program.stderr}`)
  return line as any
}

/**
 * SDK clients of a test group, in the test's own process, against the test
 * server: one API key for the group (made in its setup), an empty memory
 * store for each client unless given, every client closed when its test ends.
 */
export function inProcessClients(group: Group) {
  let apiKey = ''
  const clients: LicenseClient[] = []
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => {
    for (const client of clients.splice(0)) client.close()
  })
  return (options: Omit<LicenseClientOptions, 'baseUrl' | 'apiKey'>) => {
    const client = new LicenseClient({
      baseUrl: baseUrl(),
      apiKey,
      store: new MemoryStore(),
      ...options,
    })
    clients.push(client)
    return client
  }
}
