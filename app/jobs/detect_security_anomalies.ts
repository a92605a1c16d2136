import logger from '@adonisjs/core/services/logger'
import type { JobHandler } from '#plugin_host/define_plugin'
import SecurityDetection from '#services/security/security_detection'

/** `security:detect`: the detectors over the last window; new alerts are logged. */
const detectSecurityAnomaliesJob: JobHandler = async ({ app }) => {
  const detection = await app.container.make(SecurityDetection)
  const outcome = await detection.run()
  if (outcome.opened > 0) logger.warn(outcome, 'security alerts opened')
  return outcome
}

export default detectSecurityAnomaliesJob
