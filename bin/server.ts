/*
| HTTP server entry point: run it directly (`npm start`), or through the
| `serve` command, which restarts it on file changes.
*/
const { prettyPrintError } = await import('@adonisjs/core')
const { keywardIgnitor } = await import('./ignitor.js')

keywardIgnitor()
  .httpServer()
  .start(await import('#support/http_server').then((module) => module.createHttpServer))
  .catch(async (error) => {
    // A server that cannot start (a port taken, a broken config) must not
    // linger on its open connections: exit, so a supervisor notices.
    await prettyPrintError(error)
    process.exit(1)
  })
