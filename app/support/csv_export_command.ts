import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors } from '@vinejs/vine'
import { productSlugRule } from '#validators/panel_products'
import { csvStream, inChunks, type CsvColumn } from '#support/csv_export'

const optionsValidator = vine.create({
  out: vine.string().trim().minLength(1).optional(),
  product: productSlugRule().optional(),
})

/**
 * What `customer:export` and `license:export` share: the same CSV as the
 * panel's export (what the imports read back), to a new file that only its
 * owner can read (license keys are what customers pay for), or to stdout
 * for a pipe.
 */
export abstract class CsvExportCommand extends BaseCommand {
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Write to this new file instead of stdout' })
  declare out?: string

  /** license:export's --product (its flag is its own); validated here with --out. */
  declare product?: string

  /** The columns and the query of the export; null when the options name nothing. */
  protected abstract source(options: { product?: string }): Promise<{
    columns: CsvColumn<Record<string, unknown>>[]
    query: { clone(): any }
  } | null>

  async run() {
    let options
    try {
      options = await optionsValidator.validate({ out: this.out, product: this.product })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const message of error.messages)
        this.logger.error(`--${message.field}: ${message.message}`)
      this.exitCode = 1
      return
    }
    const source = await this.source(options)
    if (!source) {
      this.exitCode = 1
      return
    }
    const csv = csvStream(source.columns, inChunks(source.query))
    if (!options.out) {
      await pipeline(csv, process.stdout, { end: false })
      return
    }
    try {
      await pipeline(csv, createWriteStream(options.out, { flags: 'wx', mode: 0o600 }))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      this.logger.error(
        code === 'EEXIST'
          ? `${options.out} already exists: choose another --out file`
          : `Cannot write ${options.out}: ${(error as Error).message}`
      )
      this.exitCode = 1
      return
    }
    this.logger.success(`Exported to ${options.out}`)
  }
}
