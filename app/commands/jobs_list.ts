import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { describeSchedule, JobCatalog } from '#services/job_scheduler'

export default class JobsList extends BaseCommand {
  static commandName = 'jobs:list'
  static description = 'List the scheduled jobs: the core ones and those of enabled plugins'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    const catalog = await this.app.container.make(JobCatalog)
    const jobs = catalog.all()
    const rows = jobs.map((job) => ({
      name: job.name,
      plugin: job.plugin ?? 'core',
      schedule: describeSchedule(job),
      description: job.description,
    }))
    if (this.json) {
      this.logger.log(JSON.stringify(rows, null, 2))
      return
    }
    const table = this.ui.table()
    table.head(['Name', 'Plugin', 'Schedule', 'Description'])
    for (const row of rows) table.row([row.name, row.plugin, row.schedule, row.description])
    table.render()
  }
}
