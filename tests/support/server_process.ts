import app from '@adonisjs/core/services/app'
import { freePort } from '../../bin/preflight.ts'
import { spawnTracked } from './child_processes.ts'

/**
 * A second, separate server process on the run's database and Redis prefix,
 * for proving that limits hold across processes rather than in memory.
 */
export async function startServerProcess(env: Record<string, string> = {}) {
  const port = await freePort()
  const child = spawnTracked(process.execPath, ['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += chunk))
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 30_000
  while (true) {
    if (child.exitCode !== null) throw new Error(`server process exited: ${stderr}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) break
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server process did not come up: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  return {
    url,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
