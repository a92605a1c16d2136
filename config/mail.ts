import env from '#start/env'

/**
 * Outgoing e-mail over SMTP (the notifications plugin's messages). Without
 * SMTP_HOST no e-mail is sent and the panel says so.
 */
const mailConfig = {
  smtp: env.get('SMTP_HOST')
    ? {
        host: env.get('SMTP_HOST')!,
        port: env.get('SMTP_PORT', env.get('SMTP_SECURE', false) ? 465 : 587),
        /** true: TLS from the start (port 465); false: STARTTLS when the server offers it. */
        secure: env.get('SMTP_SECURE', false),
        user: env.get('SMTP_USER') ?? null,
        password: env.get('SMTP_PASSWORD')?.release() ?? null,
      }
    : null,
  from: env.get('MAIL_FROM', 'Keyward <keyward@localhost>'),
}

export default mailConfig
export type MailConfig = typeof mailConfig
