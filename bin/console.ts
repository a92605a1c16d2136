/*
| Ace entry point. Commands do not boot the application, unless the running
| command has `options.startApp` set.
*/
const { prettyPrintError } = await import('@adonisjs/core')
const { keywardIgnitor } = await import('./ignitor.js')

keywardIgnitor()
  .ace()
  .configure(async (app) => {
    const { configureAceKernel } = await import('#support/ace_kernel')
    configureAceKernel(await app.container.make('ace'))
  })
  .handle(process.argv.splice(2))
  .catch((error) => {
    process.exitCode = 1
    prettyPrintError(error)
  })
