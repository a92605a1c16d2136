import { statfs } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface DiskReading {
  /** Bytes free for unprivileged users. */
  free: number
  size: number
}

/**
 * Free and total bytes of the file system that holds `path`, or that will
 * hold it: a folder not made yet (BACKUP_DIR before the first backup) is
 * measured at its nearest existing parent. For the readiness disk checks and
 * the disk gauges alike.
 */
export async function diskOf(path: string): Promise<DiskReading> {
  let current = path
  while (true) {
    try {
      const stats = await statfs(current)
      return { free: stats.bavail * stats.bsize, size: stats.blocks * stats.bsize }
    } catch (error) {
      const parent = dirname(current)
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === current) throw error
      current = parent
    }
  }
}
