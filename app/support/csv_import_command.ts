import { readFile } from 'node:fs/promises'
import { BaseCommand } from '@adonisjs/core/ace'
import i18nManager from '@adonisjs/i18n/services/main'
import type { I18n } from '@adonisjs/i18n'
import type { Actor } from '#support/actor'
import { cliActor } from '#support/actor'
import type { ImportResult } from '#services/imports/csv_records'

/** Problems printed; the count says how many there are in all. */
const PROBLEMS_PRINTED = 100

/**
 * What `customer:import` and `license:import` share: read the file, run the
 * import (or its dry run), print every problem by line or what changed, and
 * exit 1 when nothing could be imported.
 */
export abstract class CsvImportCommand extends BaseCommand {
  declare file: string
  declare dryRun?: boolean

  protected abstract runImport(
    text: string,
    actor: Actor,
    i18n: I18n,
    options: { dryRun: boolean }
  ): Promise<ImportResult>

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
    const result = await this.runImport(text, cliActor(), i18nManager.locale('en'), { dryRun })
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
