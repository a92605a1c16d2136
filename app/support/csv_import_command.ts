import { readFile } from 'node:fs/promises'
import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import i18nManager from '@adonisjs/i18n/services/main'
import { cliActor } from '#support/actor'
import type { CsvTransfer } from '#services/imports/csv_transfer'

/** Problems printed; the count says how many there are in all. */
const PROBLEMS_PRINTED = 100

/**
 * What `customer:import` and `license:import` share: read the file, run the
 * import (or its dry run), print every problem by line or what changed, and
 * exit 1 when nothing could be imported.
 */
export abstract class CsvImportCommand extends BaseCommand {
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The CSV file' })
  declare file: string

  @flags.boolean({ description: 'Check the file and say what would change, without writing' })
  declare dryRun?: boolean

  /** The service that imports the file (made by the container). */
  protected abstract transfer: new (...services: any[]) => CsvTransfer<unknown, unknown>

  async run() {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      this.logger.error(`Cannot read ${this.file}: ${(error as Error).message}`)
      this.exitCode = 1
      return
    }
    const dryRun = this.dryRun === true
    const transfer = await this.app.container.make(this.transfer)
    const result = await transfer.importCsv(text, cliActor(), i18nManager.locale('en'), { dryRun })
    if (!result.outcome) {
      for (const problem of result.problems.slice(0, PROBLEMS_PRINTED)) {
        this.logger.error(`Line ${problem.row}, ${problem.field || '-'}: ${problem.message}`)
      }
      if (result.problems.length > PROBLEMS_PRINTED) {
        this.logger.error(`…and ${result.problems.length - PROBLEMS_PRINTED} more`)
      }
      this.logger.error(
        `${result.problems.length} problem(s): nothing was imported. Fix the file and run again.`
      )
      this.exitCode = 1
      return
    }
    const { created, updated, unchanged } = result.outcome
    if (dryRun) {
      this.logger.info(
        `Dry run, nothing written: importing ${this.file} would create ${created}, update ${updated} and leave ${unchanged} unchanged`
      )
    } else {
      this.logger.success(
        `Imported ${this.file}: ${created} created, ${updated} updated, ${unchanged} unchanged`
      )
    }
  }
}
