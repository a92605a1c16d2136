/*
| The part of autocannon's programmatic API that the bench (bench/runs.ts) uses.
| autocannon ships no type declarations of its own.
*/
declare module 'autocannon' {
  export interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (
      request: AutocannonRequest,
      context: Record<string, unknown>
    ) => AutocannonRequest
  }

  export interface AutocannonOptions {
    url: string | string[]
    connections?: number
    pipelining?: number
    duration?: number
    timeout?: number
    overallRate?: number
    method?: string
    headers?: Record<string, string>
    requests?: AutocannonRequest[]
    title?: string
  }

  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }

  export interface AutocannonResult {
    'title'?: string
    'requests': Histogram
    'latency': Histogram
    'duration': number
    'errors': number
    'timeouts': number
    'mismatches': number
    'non2xx': number
    'statusCodeStats': Record<string, { count: number }>
    '1xx': number
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
  }

  export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
    stop(): void
  }

  export default function autocannon(options: AutocannonOptions): AutocannonInstance
}
