import { execFileSync } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import { test } from '@japa/runner'
import { freePort } from '../../bin/preflight.ts'
import { createLicense, newApiKey } from '#tests/support/fixtures'
import { spawnAppProcess } from '#tests/support/server_process'
import { signalGroup } from '#tests/support/child_processes'

/** The server processes `npm start` runs: the primary's children. */
function workersOf(pid: number) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  output: () => string,
  timeoutMs = 30_000
) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`timed out waiting for ${what}; npm start wrote:\n${output().slice(-4000)}`)
}

/** True once the server answers its liveness probe; a probe that hangs counts as not yet. */
async function serving(url: string) {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).catch(
    () => null
  )
  return response?.ok ? true : undefined
}

test.group('npm start (bin/start.ts)', (group) => {
  group.each.timeout(300_000)

  test('runs the compiled build in WEB_CONCURRENCY processes on one port, replaces one that dies, and stops them all on SIGTERM', async ({
    assert,
    cleanup,
  }) => {
    const port = await freePort()
    const primary = spawnAppProcess(['bin/start.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '2',
    })
    // The primary and its workers: the whole process group.
    cleanup(() => signalGroup(primary.child, 'SIGKILL'))
    const url = `http://127.0.0.1:${port}`
    // A first start builds the app (node ace.ts build) before it serves.
    await until(
      'the server',
      async () => {
        if (primary.child.exitCode !== null)
          throw new Error(`npm start exited: ${primary.output()}`)
        return serving(url)
      },
      primary.output,
      180_000
    )

    const workers = await until(
      'two server processes',
      () => {
        const pids = workersOf(primary.pid)
        return pids.length === 2 ? pids : undefined
      },
      primary.output
    )
    // The processes run build/bin/server.js, through the worker wrapper.
    const command = execFileSync('ps', ['-o', 'args=', '-p', String(workers[0])], {
      encoding: 'utf8',
    })
    assert.include(command, 'bin/start_worker.ts')

    const apiKey = await newApiKey()
    const license = await createLicense()
    for (let index = 0; index < 4; index++) {
      const response = await fetch(`${url}/api/license/verify`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ license_key: license.key }),
        // A server that never answers fails here, not at the test's timeout.
        signal: AbortSignal.timeout(10_000),
      })
      assert.equal(response.status, 200)
    }

    process.kill(workers[0], 'SIGKILL')
    const replaced = await until(
      'a replacement',
      () => {
        const pids = workersOf(primary.pid)
        return pids.length === 2 && !pids.includes(workers[0]) ? pids : undefined
      },
      primary.output
    )
    assert.include(replaced, workers[1])
    await until('the replacement serving', () => serving(url), primary.output)

    const stopped = Date.now()
    await primary.stop()
    assert.equal(primary.child.exitCode, 0)
    assert.isBelow(
      Date.now() - stopped,
      10_000,
      'the graceful stop does not wait for the kill timer'
    )
    for (const pid of replaced) {
      assert.throws(() => process.kill(pid, 0), /ESRCH/)
    }
  })
})

/** A port some other program holds, so a server cannot listen on it. */
async function takenPort(): Promise<{ port: number; holder: Server }> {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const address = holder.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return { port: address.port, holder }
}

test.group('A server that cannot start', (group) => {
  group.each.timeout(300_000)

  test('bin/server.ts on a taken port exits with 1 instead of lingering', async ({
    assert,
    cleanup,
  }) => {
    const { port, holder } = await takenPort()
    cleanup(() => new Promise<void>((resolve) => holder.close(() => resolve())))
    const server = spawnAppProcess(['--import', '@poppinss/ts-exec', 'bin/server.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
    })
    cleanup(() => signalGroup(server.child, 'SIGKILL'))
    const code = await until(
      'the server to exit',
      () => server.child.exitCode ?? undefined,
      server.output,
      60_000
    )
    assert.equal(code, 1)
  })

  test('npm start stops with 1 when its server processes keep exiting at once', async ({
    assert,
    cleanup,
  }) => {
    const { port, holder } = await takenPort()
    cleanup(() => new Promise<void>((resolve) => holder.close(() => resolve())))
    const primary = spawnAppProcess(['bin/start.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      WEB_CONCURRENCY: '1',
    })
    cleanup(() => signalGroup(primary.child, 'SIGKILL'))
    const code = await until(
      'npm start to give up',
      () => primary.child.exitCode ?? undefined,
      primary.output,
      240_000
    )
    assert.equal(code, 1)
    assert.include(primary.output(), 'server processes keep exiting at once')
    assert.deepEqual(workersOf(primary.pid), [])
  })
})
