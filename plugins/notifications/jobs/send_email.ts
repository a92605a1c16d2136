import type { JobHandler } from '#plugin_host/api'
import { EmailNotifier } from '../services/email_notifier.js'

/** `notifications:email` (enqueued, no schedule): the e-mail of `{ eventId }` to `{ adminId }`. */
const sendEmail: JobHandler = async ({ app, data }) => {
  const { eventId, adminId } = (data ?? {}) as { eventId?: unknown; adminId?: unknown }
  if (typeof eventId !== 'string' || typeof adminId !== 'number') {
    throw new Error('notifications:email needs an eventId and an adminId')
  }
  const notifier = await app.container.make(EmailNotifier)
  return notifier.send(eventId, adminId)
}

export default sendEmail
