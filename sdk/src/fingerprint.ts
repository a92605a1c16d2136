import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'

function firstReadable(paths: string[]) {
  for (const path of paths) {
    try {
      const value = readFileSync(path, 'utf8').trim()
      if (value) return value
    } catch {}
  }
  return null
}

function commandOutput(command: string, args: string[]) {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
      windowsHide: true,
    })
  } catch {
    return null
  }
}

/**
 * The operating system's own id of this installation: stable across
 * reboots and processes, the same for every program on the machine.
 */
export function machineId(): string {
  switch (process.platform) {
    case 'linux':
      return firstReadable(['/etc/machine-id', '/var/lib/dbus/machine-id']) ?? hostname()
    case 'darwin': {
      const output = commandOutput('ioreg', ['-rd1', '-c', 'IOPlatformExpertDevice']) ?? ''
      return /"IOPlatformUUID"\s*=\s*"([^"]+)"/.exec(output)?.[1] ?? hostname()
    }
    case 'win32': {
      const key = 'HKLM\\SOFTWARE\\Microsoft\\Cryptography'
      const output =
        commandOutput('reg', ['query', key, '/v', 'MachineGuid', '/reg:64']) ??
        commandOutput('reg', ['query', key, '/v', 'MachineGuid']) ??
        ''
      return /MachineGuid\s+REG_SZ\s+(\S+)/.exec(output)?.[1] ?? hostname()
    }
    default:
      return (
        firstReadable(['/etc/hostid', '/etc/machine-id']) ??
        commandOutput('kenv', ['-q', 'smbios.system.uuid'])?.trim() ??
        hostname()
      )
  }
}

function userName() {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? ''
  }
}

let computed: string | null = null

/**
 * This machine's hardware fingerprint as the SDK sends it: a hash of the
 * machine id, the platform and the user, nothing that changes between
 * processes (never a PID), so a launcher and the program it starts send
 * the same one. 44 characters, `kw1-` and 40 hex digits.
 */
export function fingerprint(): string {
  computed ??=
    'kw1-' +
    createHash('sha256')
      .update(['keyward', machineId(), process.platform, userName()].join('\n'))
      .digest('hex')
      .slice(0, 40)
  return computed
}
