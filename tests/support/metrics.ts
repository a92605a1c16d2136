import { spawn } from 'node:child_process'

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** The samples of a Prometheus text exposition. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key] = value.replace(/\\(.)/g, (_, char) => (char === 'n' ? '\n' : char))
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/** The value of the one sample with this name and exactly these labels, or 0 when absent. */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}) {
  const wanted = Object.entries(labels)
  const found = parseExposition(text).filter(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === wanted.length &&
      wanted.every(([key, value]) => sample.labels[key] === value)
  )
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`)
  return found[0]?.value ?? 0
}

/** Whether the exposition has any sample of `name` with these labels. */
export function hasSample(text: string, name: string, labels: Record<string, string> = {}) {
  return parseExposition(text).some(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  )
}

/** GET /metrics of a server; the body as text. */
export async function scrape(base: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/metrics`, { headers })
  return { status: response.status, headers: response.headers, text: await response.text() }
}

/**
 * `promtool check metrics` on an exposition: its exit code and what it
 * said. 0 is clean, 3 means lint findings (`problems`), anything else an
 * error in the format.
 */
export function promtoolCheck(text: string) {
  return new Promise<{ code: number | null; problems: string[] }>((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('close', (code) =>
      resolve({ code, problems: output.split('\n').filter((line) => line.trim() !== '') })
    )
    child.stdin.end(text)
  })
}
