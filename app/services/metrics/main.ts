import app from '@adonisjs/core/services/app'
import Metrics from '#services/metrics'

/**
 * The process' Metrics singleton, for the places that record an outcome
 * (the session engine, the license service, the error handler, the rate
 * limiters) without each taking it as a constructor argument.
 */
let metrics: Metrics

await app.booted(async () => {
  metrics = await app.container.make(Metrics)
})

export { metrics as default }
