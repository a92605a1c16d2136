/*
| A server process of `npm start` (bin/start.ts). Ctrl-C reaches every
| process of the terminal's group at once; the primary then stops each
| worker the graceful way (SIGTERM), so a worker ignores SIGINT itself.
| A worker whose primary is gone stops too.
| Node runs this file directly (erasable TypeScript only).
*/
import { pathToFileURL } from 'node:url'

process.on('SIGINT', () => {})
// The primary is gone (killed, crashed): stop the graceful way rather than live on unsupervised.
process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
// The channel to the primary must not keep a worker alive whose app has
// terminated (after SIGTERM, or when its server failed to listen).
process.channel?.unref()
const entry = process.env.KEYWARD_SERVER_ENTRY
if (!entry) throw new Error('bin/start_worker.ts runs under bin/start.ts only')
await import(pathToFileURL(entry).href)
