import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Waits until `check` holds, polling; fails after `timeoutMs`.
 * @returns how long it took, in ms.
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const startedAt = Date.now()
  while (!(await check().catch(() => false))) {
    if (Date.now() - startedAt > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(50)
  }
  return Date.now() - startedAt
}

/**
 * Prints what a fault test measured, one line per case, so a run's output
 * holds the figures of docs/operations.md ("What survives what").
 */
export function reportFigures(what: string, figures: Record<string, string | number>) {
  const parts = Object.entries(figures).map(([name, value]) => `${name}: ${value}`)
  console.log(`  [figures] ${what}: ${parts.join(', ')}`)
}
