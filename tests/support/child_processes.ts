import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Every long-running program a test starts gets a process group of its own,
 * so that whatever it starts in turn (the launcher's bot) can be killed with
 * it. Groups are killed when the run ends, or when it is interrupted: a
 * process left behind keeps the runner's pipes open, and the runner with
 * them, long after the last test.
 */
const groups = new Set<number>()
let hooksInstalled = false

export function spawnTracked(command: string, args: string[], options: SpawnOptions) {
  const child: ChildProcess = spawn(command, args, { ...options, detached: true })
  if (child.pid !== undefined) groups.add(child.pid)
  installHooks()
  return child
}

/** Sends `signal` to the child and every process it started. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid !== undefined) signalGroupOf(child.pid, signal)
}

/** Kills every group started by this run; groups already gone are skipped. */
export function killStrayProcesses() {
  for (const pgid of groups) signalGroupOf(pgid, 'SIGKILL')
  groups.clear()
}

function signalGroupOf(pgid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pgid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/**
 * The groups do not share the terminal's process group, so Ctrl+C would not
 * reach them: the runner passes it on before it goes.
 */
function installHooks() {
  if (hooksInstalled) return
  hooksInstalled = true
  process.once('exit', killStrayProcesses)
  process.once('SIGINT', () => {
    killStrayProcesses()
    process.exit(130)
  })
}

/**
 * Whether a process runs. An orphan that exited may linger as a zombie until
 * whoever adopted it reaps it: that counts as gone. Without /proc (macOS),
 * signal 0 tells, and orphans there are reaped at once.
 */
async function isRunning(pid: number) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (existsSync('/proc/self')) return false
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits for the process to be gone, failing after `timeoutMs`. */
export async function waitForExitOf(pid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (await isRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`)
    await sleep(50)
  }
}
