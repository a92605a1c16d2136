/*
| HTTP server entry point: run it directly (`npm start`), or through the
| `serve` command, which restarts it on file changes.
*/
const { prettyPrintError } = await import('@adonisjs/core')
const { keywardIgnitor } = await import('./ignitor.js')

keywardIgnitor()
  .httpServer()
  .start(await import('#support/http_server').then((module) => module.createHttpServer))
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
