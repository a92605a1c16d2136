import ace from '@adonisjs/core/services/ace'
import type { BaseCommand } from '@adonisjs/core/ace'

/**
 * Runs an ace command inside the test runner's booted app, its output kept
 * in memory (raw mode) for the test to read with logsOf. A command that
 * must boot the app its own way runs in a process (runAceProcess).
 */
export async function runCommand<Command extends typeof BaseCommand>(
  Command: Command,
  argv: string[]
) {
  const command = await ace.create(Command, argv)
  command.ui.switchMode('raw')
  await command.exec()
  return command
}

/** Everything a command run by runCommand logged, one message a line. */
export const logsOf = (command: BaseCommand) =>
  command.logger
    .getLogs()
    .map((log) => log.message)
    .join('\n')
