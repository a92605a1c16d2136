/*
| Entry point for ace commands: `node ace.ts <command>`.
| Node 24 runs this file directly (erasable TypeScript only); ts-exec then
| compiles the rest of the application on the fly.
*/
import '@poppinss/ts-exec'

await import('./bin/console.js')
