import { createHash } from 'node:crypto'
import { LicenseClient } from '@keyward/client'

/**
 * Both programs build their client the same way. They compute the same
 * fingerprint (machine, platform, user), so the server sees one device and,
 * under the resumable policy, hands the bot the launcher's session.
 */
export function clientFor(options = {}) {
  for (const name of ['KEYWARD_URL', 'KEYWARD_API_KEY', 'KEYWARD_LICENSE_KEY']) {
    if (!process.env[name]) {
      console.error(`Set ${name} (see README.md)`)
      process.exit(64)
    }
  }
  return new LicenseClient({
    baseUrl: process.env.KEYWARD_URL,
    apiKey: process.env.KEYWARD_API_KEY,
    licenseKey: process.env.KEYWARD_LICENSE_KEY,
    version: '1.0.0',
    // Only to play "another machine" in the demo; real programs leave it out.
    fingerprint: process.env.KEYWARD_FINGERPRINT || undefined,
    ...options,
  })
}

/** One JSON line per event, so people and tests can follow along. */
export function logger(who) {
  return (event, data = {}) =>
    console.log(JSON.stringify({ who, event, pid: process.pid, ...data }))
}

/** A short, harmless name for a session token (never log the token itself). */
export const sessionName = (token) => createHash('sha256').update(token).digest('hex').slice(0, 12)

/**
 * Starts (or joins) the session and logs it; a refusal (another machine
 * holds the license, the license expired, …) ends the program with code 2.
 */
export async function startSessionOrExit(client, log) {
  try {
    const session = await client.startSession()
    log('session', { session: sessionName(session.token), resumed: session.resumed })
    return session
  } catch (error) {
    log('refused', { code: error.code, message: error.message })
    process.exit(2)
  }
}
