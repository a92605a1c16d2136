import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import {
  decryptFile,
  encryptFile,
  HEADER_BYTES,
  MAGIC,
  readHeader,
} from '#services/backups/archive_container'
import { BackupRefusedError } from '#services/backups/backup_refused_error'

const appKey = 'an-app-key-of-thirty-two-characters!'
const backupKey = randomBytes(32).toString('base64')

async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof BackupRefusedError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

test.group('Backup archive encryption', (group) => {
  let folder: string
  let plain: string
  const plaintext = randomBytes(200_000)
  group.each.setup(async () => {
    folder = await mkdtemp(join(tmpdir(), 'keyward-archive-unit-'))
    plain = join(folder, 'archive.tar')
    await writeFile(plain, plaintext)
    return () => rm(folder, { recursive: true, force: true })
  })

  test('round trip with the APP_KEY-derived key; the header says which key', async ({ assert }) => {
    const sealed = join(folder, 'a.kwbackup')
    assert.deepEqual(await encryptFile(plain, sealed, { backupKey: null, appKey }), {
      kind: 'app_key',
    })
    const bytes = await readFile(sealed)
    assert.isTrue(bytes.subarray(0, MAGIC.length).equals(Buffer.from('KEYWARDBK1')))
    assert.equal(bytes.length, HEADER_BYTES + plaintext.length + 16)
    assert.isFalse(bytes.includes(plaintext.subarray(0, 64)), 'no plaintext in the file')
    assert.deepInclude(await readHeader(sealed), { encrypted: true, kind: 'app_key' })

    const opened = join(folder, 'opened.tar')
    // A BACKUP_KEY set later does not stop an APP_KEY archive from opening.
    await decryptFile('a.kwbackup', sealed, opened, { backupKey, appKey })
    assert.isTrue((await readFile(opened)).equals(plaintext))
  })

  test('a fresh salt and IV per archive', async ({ assert }) => {
    const one = join(folder, 'one.kwbackup')
    const two = join(folder, 'two.kwbackup')
    await encryptFile(plain, one, { backupKey, appKey })
    await encryptFile(plain, two, { backupKey, appKey })
    const [first, second] = [await readFile(one), await readFile(two)]
    assert.isTrue(first.subarray(0, 19).equals(second.subarray(0, 19)), 'same magic, kind, key id')
    assert.isFalse(first.subarray(19, HEADER_BYTES).equals(second.subarray(19, HEADER_BYTES)))
    assert.isFalse(first.subarray(HEADER_BYTES).equals(second.subarray(HEADER_BYTES)))
  })

  test('a wrong or missing key is named, not reported as a broken tag', async ({ assert }) => {
    const sealed = join(folder, 'b.kwbackup')
    await encryptFile(plain, sealed, { backupKey, appKey })
    const out = (name: string) => join(folder, name)

    const wrong = await refusal(
      decryptFile('b.kwbackup', sealed, out('1'), {
        backupKey: randomBytes(32).toString('base64'),
        appKey,
      })
    )
    assert.equal(wrong.code, 'backup_wrong_key')
    assert.equal(
      wrong.message,
      'b.kwbackup cannot be used: it was encrypted with a different BACKUP_KEY'
    )

    const missing = await refusal(
      decryptFile('b.kwbackup', sealed, out('2'), { backupKey: null, appKey })
    )
    assert.equal(missing.code, 'backup_key_missing')

    const appSealed = join(folder, 'c.kwbackup')
    await encryptFile(plain, appSealed, { backupKey: null, appKey })
    const otherApp = await refusal(
      decryptFile('c.kwbackup', appSealed, out('3'), { backupKey: null, appKey: 'x'.repeat(32) })
    )
    assert.match(otherApp.message, /encrypted with a different APP_KEY/)
  })

  test('a changed byte or a cut file fails the GCM check; a stub is too short', async ({
    assert,
  }) => {
    const sealed = join(folder, 'd.kwbackup')
    await encryptFile(plain, sealed, { backupKey, appKey })
    const original = await readFile(sealed)
    const secrets = { backupKey, appKey }

    const flipped = Buffer.from(original)
    flipped[HEADER_BYTES + 1000] ^= 0x80
    await writeFile(join(folder, 'flipped'), flipped)
    const changed = await refusal(
      decryptFile('x', join(folder, 'flipped'), join(folder, 'o1'), secrets)
    )
    assert.equal(changed.code, 'backup_damaged')
    assert.match(changed.message, /authentication tag does not match/)

    await writeFile(join(folder, 'cut'), original.subarray(0, original.length - 5000))
    const cut = await refusal(decryptFile('x', join(folder, 'cut'), join(folder, 'o2'), secrets))
    assert.equal(cut.code, 'backup_damaged')

    await writeFile(join(folder, 'stub'), original.subarray(0, 30))
    const stub = await refusal(decryptFile('x', join(folder, 'stub'), join(folder, 'o3'), secrets))
    assert.match(stub.message, /too short/)
  })
})
