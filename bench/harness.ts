/*
| The bookkeeping of one `npm run bench`: the progress lines, the child
| processes it started, the load in progress, the notes for the report, and
| what to undo at the end: everything created is undone in reverse order,
| once, whether the run ends normally, fails, or is interrupted.
*/
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { stripVTControlCharacters } from 'node:util'

export const ROOT = fileURLToPath(new URL('../', import.meta.url))
export const NODE = process.execPath

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

export function lastLines(text: string, count = 15) {
  return text.trim().split('\n').slice(-count).join('\n')
}

/** Runs `worker` over `items`, at most `limit` at a time. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>
) {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await worker(items[index], index)
      }
    })
  )
  return results
}

type SpawnOptions = {
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Keep only the last this many characters of the output. */
  keepLast?: number
}

export class Harness {
  /** Said at the end of the report, and written to bench/results.json. */
  readonly notes: string[] = []
  /** Set by Ctrl-C or SIGTERM: the failure it causes is not reported as one. */
  interrupted = false

  #started = performance.now()
  #cleanups: { label: string; undo: () => Promise<unknown> | unknown }[] = []
  #children = new Set<ChildProcess>()
  #cleaning: Promise<void> | undefined
  #load: { stop(): void } | undefined

  /** A progress line, with the seconds since the start. */
  step(message: string) {
    const seconds = ((performance.now() - this.#started) / 1000).toFixed(1).padStart(5)
    console.log(`[${seconds}s] ${message}`)
  }

  onCleanup(label: string, undo: () => Promise<unknown> | unknown) {
    this.#cleanups.push({ label, undo })
  }

  /** Starts a program with its output kept; the clean-up kills it if it still runs. */
  spawn(command: string, args: string[], options: SpawnOptions = {}) {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#children.add(child)
    child.once('close', () => this.#children.delete(child))
    let output = ''
    const keep = (chunk: Buffer) => {
      output += chunk
      if (options.keepLast) output = output.slice(-options.keepLast)
    }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    return { child, output: () => output }
  }

  /** Runs a program to its end and returns its exit code and output. */
  run(command: string, args: string[], options: SpawnOptions = {}) {
    return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const { child, output } = this.spawn(command, args, options)
      child.once('error', reject)
      child.once('close', (code) => resolve({ code, output: stripVTControlCharacters(output()) }))
    })
  }

  /** Waits for a load run; a clean-up that comes first stops it. */
  async drive<T>(load: PromiseLike<T> & { stop(): void }): Promise<T> {
    this.#load = load
    try {
      return await load
    } finally {
      this.#load = undefined
    }
  }

  cleanup() {
    this.#cleaning ??= (async () => {
      this.#load?.stop()
      for (const { label, undo } of this.#cleanups.reverse()) {
        try {
          await undo()
        } catch (error) {
          console.error(`  clean-up "${label}" failed: ${(error as Error).message}`)
        }
      }
      for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL')
    })()
    return this.#cleaning
  }

  /** Ctrl-C or SIGTERM: stop, clean up, and exit with 130. */
  cleanUpOnSignals() {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, async () => {
        this.interrupted = true
        console.error(`\n${signal}: stopping and cleaning up…`)
        await this.cleanup()
        process.exit(130)
      })
    }
  }
}
