import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { JobCatalog, runJob } from '#services/job_scheduler'
import { Clock } from '#support/clock'

export default class JobsRun extends BaseCommand {
  static commandName = 'jobs:run'
  static description =
    'Run one scheduled job once, now, in this process (no worker or Redis needed)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Name of the job, as jobs:list shows it' })
  declare name: string

  async run() {
    const catalog = await this.app.container.make(JobCatalog)
    const jobs = catalog.all()
    const job = jobs.find((candidate) => candidate.name === this.name)
    if (!job) {
      this.logger.error(
        `Unknown job "${this.name}". Known jobs: ${jobs.map((known) => known.name).join(', ')}`
      )
      this.exitCode = 1
      return
    }
    const clock = await this.app.container.make(Clock)
    const report = await runJob(job, { app: this.app, scheduledAt: clock.now().toJSDate() })
    if (report.error !== undefined) {
      const reason = report.error instanceof Error ? report.error.message : String(report.error)
      this.logger.error(`${job.name} failed after ${report.durationMs} ms: ${reason}`)
      this.error = report.error
      this.exitCode = 1
      return
    }
    this.result = report.result
    this.logger.success(`${job.name} done in ${report.durationMs} ms`)
    this.logger.log(JSON.stringify(report.result ?? null, null, 2))
  }
}
