import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { baseUrl, createLicense, newApiKey } from '#tests/support/fixtures'

const run = promisify(execFile)

/**
 * The SDK as a vendor gets it: `npm pack` builds the tarball, which installs
 * into an empty folder (no registry needed: it has no dependencies) and
 * works there, typed, under the machine's own Node.js (20 here; the package
 * promises 18 or later), not only under the server's Node 24.
 */
test.group('SDK package', (group) => {
  let folder: string
  group.each.setup(async () => {
    folder = await mkdtemp(join(tmpdir(), 'keyward-sdk-package-'))
    return () => rm(folder, { recursive: true, force: true })
  })
  group.each.timeout(120_000)

  test('npm pack makes a tarball that installs in an empty folder and works', async ({
    assert,
  }) => {
    await run('npm', ['pack', '--pack-destination', folder], { cwd: app.makePath('sdk') })
    const [tarball] = (await readdir(folder)).filter((name) => name.endsWith('.tgz'))
    assert.match(tarball, /^keyward-client-\d+\.\d+\.\d+\.tgz$/)

    const project = join(folder, 'app')
    await run('mkdir', ['-p', project])
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ type: 'module', private: true })
    )
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(folder, tarball)], {
      cwd: project,
    })
    assert.isTrue(existsSync(join(project, 'node_modules/@keyward/client/dist/index.d.ts')))
    assert.isFalse(existsSync(join(project, 'node_modules/@keyward/client/src')))

    const license = await createLicense({ type: 'perpetual', features: { pro: true } })
    const apiKey = await newApiKey()
    const program = `
      import { LicenseClient, MemoryStore, fingerprint } from '@keyward/client'
      const client = new LicenseClient({
        baseUrl: process.env.KEYWARD_URL,
        apiKey: process.env.KEYWARD_API_KEY,
        licenseKey: process.env.KEYWARD_LICENSE_KEY,
        store: new MemoryStore(),
      })
      const { created } = await client.activate()
      const verdict = await client.verify()
      const session = await client.startSession()
      await client.endSession()
      console.log(JSON.stringify({
        node: process.version, fingerprint: fingerprint(), created,
        valid: verdict.valid, features: verdict.features, lease: verdict.lease !== null,
        resumed: session.resumed,
      }))
    `
    await writeFile(join(project, 'check.mjs'), program)
    const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath
    const { stdout } = await run(node, ['check.mjs'], {
      cwd: project,
      env: {
        ...process.env,
        KEYWARD_URL: baseUrl(),
        KEYWARD_API_KEY: apiKey,
        KEYWARD_LICENSE_KEY: license.key,
      },
    })
    const result = JSON.parse(stdout)
    assert.match(result.node, /^v(1[89]|[2-9]\d)\./)
    assert.match(result.fingerprint, /^kw1-[0-9a-f]{40}$/)
    assert.deepInclude(result, {
      created: true,
      valid: true,
      features: { pro: true },
      lease: true,
      resumed: false,
    })

    // The types ship too: a TypeScript program against the installed package checks clean.
    await writeFile(
      join(project, 'check.ts'),
      `import { LicenseClient, ApiError, type VerifyResult } from '@keyward/client'
       const client = new LicenseClient({ baseUrl: 'http://x', apiKey: 'k', licenseKey: 'l' })
       client.on('ended', ({ reason }) => console.log(reason))
       export async function check(): Promise<boolean> {
         try { const result: VerifyResult = await client.verify(); return result.valid }
         catch (error) { return error instanceof ApiError && error.code === 'VERSION_TOO_OLD' }
       }`
    )
    await run(
      app.makePath('node_modules/.bin/tsc'),
      [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--typeRoots',
        app.makePath('node_modules/@types'),
        '--types',
        'node',
        'check.ts',
      ],
      { cwd: project }
    )
  })
})
