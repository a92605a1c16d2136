import { HelpCommand, type Kernel } from '@adonisjs/core/ace'

/**
 * Adjusts the ace kernel of `node ace.ts`:
 *
 * - help and usage lines name the real entry point, `node ace.ts`;
 * - `<command> --help` works without the command's arguments. Ace checks a
 *   command's arguments even after `--help` has printed the help, so the
 *   help of a command with two required arguments (`license:status KEY
 *   STATUS`) ended in "Missing required argument" and exit code 1. This
 *   listener replaces the core's: it prints the same help, then gives the
 *   check a value for every argument.
 */
export function configureAceKernel(kernel: Kernel) {
  kernel.info.set('binary', 'node ace.ts')
  kernel.on('help', async (command, $kernel, parsed) => {
    const help = new HelpCommand(
      $kernel,
      { ...parsed, args: [command.commandName] },
      $kernel.ui,
      $kernel.prompt
    )
    await help.exec()
    parsed.args = command.args.map((arg, index) => parsed.args[index] || arg.name)
    return $kernel.shortcircuit()
  })
}
