/*
| Runs the web server and the job worker side by side, for the Quick start
| and small installs: `node bin/run_all.ts`. Each runs in a process of its
| own, as in production; when either stops, the other is stopped too.
| Node runs this file directly (erasable TypeScript only).
*/
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const appRoot = fileURLToPath(new URL('../', import.meta.url))
/** How long a child gets to stop cleanly before it is killed. */
const STOP_GRACE_MS = 15_000

const processes: Array<{ name: string; args: string[] }> = [
  { name: 'server', args: ['--import', '@poppinss/ts-exec', 'bin/server.ts'] },
  { name: 'worker', args: ['ace.ts', 'jobs:work'] },
]

/**
 * The children get a process group of their own (`detached`), so Ctrl-C in
 * a terminal reaches this process only, and both children are then told to
 * stop the same graceful way (SIGTERM), whatever signal came in.
 */
const children: ChildProcess[] = processes.map(({ args }) =>
  spawn(process.execPath, args, {
    cwd: appRoot,
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
)

let stopping = false

function isRunning(child: ChildProcess) {
  return child.exitCode === null && child.signalCode === null
}

function stopAll(exitCode: number) {
  if (stopping) return
  stopping = true
  process.exitCode = exitCode
  for (const child of children) {
    if (isRunning(child)) child.kill('SIGTERM')
  }
  const killer = setTimeout(() => {
    for (const child of children) if (isRunning(child)) child.kill('SIGKILL')
  }, STOP_GRACE_MS)
  killer.unref()
}

children.forEach((child, index) => {
  const { name } = processes[index]
  child.on('error', (error) => {
    console.error(`[run_all] could not start the ${name}: ${error.message}`)
    stopAll(1)
  })
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[run_all] the ${name} exited (${signal ?? `code ${code}`}); stopping the rest`)
    }
    stopAll(code ?? 1)
  })
})

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => stopAll(0))
}

// Should this process die some other way, take the children with it.
process.on('exit', () => {
  for (const child of children) if (isRunning(child)) child.kill('SIGKILL')
})
