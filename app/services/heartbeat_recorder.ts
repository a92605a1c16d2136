import logger from '@adonisjs/core/services/logger'
import { preparedQuery } from '#support/prepared_query'
import { NO_PARTITION_FOR_ROW } from '#support/month_partitions'
import {
  HEARTBEATS_AND_LOG,
  HEARTBEAT_AND_LOG,
  HEARTBEAT_ONLY,
} from '#services/heartbeat_statements'
import type { BeatRequest, BeatRow } from '#services/heartbeat_batcher'

/**
 * The writes of heartbeats, for the HeartbeatBatcher: many beats in one
 * statement, or one beat alone with its fallback.
 */
export async function recordBeats(beats: BeatRequest[]): Promise<Map<string, BeatRow>> {
  const rows = await preparedQuery<BeatRow & { token_hash: string }>(
    'keyward_heartbeats',
    HEARTBEATS_AND_LOG,
    [
      beats.map((beat) => beat.at),
      beats.map((beat) => beat.tokenHash),
      beats.map((beat) => beat.licenseKey),
    ]
  )
  return new Map(rows.map((row) => [row.token_hash, row]))
}

export async function recordBeat(beat: BeatRequest): Promise<BeatRow | undefined> {
  const values = [beat.at, beat.tokenHash, beat.licenseKey]
  try {
    const [row] = await preparedQuery<BeatRow>('keyward_heartbeat', HEARTBEAT_AND_LOG, values)
    return row
  } catch (error) {
    // The log feeds usage figures only: without its month partition, the beat still counts.
    if ((error as { code?: string }).code !== NO_PARTITION_FOR_ROW) throw error
    logger.error({ err: error }, 'heartbeat not logged: session_heartbeats has no partition')
    const [row] = await preparedQuery<BeatRow>('keyward_heartbeat_only', HEARTBEAT_ONLY, values)
    return row
  }
}
