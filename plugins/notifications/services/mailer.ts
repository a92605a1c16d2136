import app from '@adonisjs/core/services/app'
import nodemailer, { type Transporter } from 'nodemailer'
import type { MailConfig } from '#plugin_host/api'

export interface OutgoingMail {
  to: string
  subject: string
  html: string
  text: string
}

/**
 * Sends e-mail over SMTP with nodemailer, as config/mail.ts (SMTP_* and
 * MAIL_FROM) says; without SMTP_HOST it is off and nothing is queued.
 */
export class Mailer {
  #transport?: Transporter

  constructor(protected config: MailConfig = app.config.get<MailConfig>('mail')) {}

  get enabled() {
    return this.config.smtp !== null
  }

  get from() {
    return this.config.from
  }

  protected transport() {
    const smtp = this.config.smtp
    if (!smtp) throw new Error('E-mail is off: SMTP_HOST is not set')
    this.#transport ??= nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    })
    return this.#transport
  }

  async send(mail: OutgoingMail) {
    const info = await this.transport().sendMail({ from: this.config.from, ...mail })
    return { messageId: info.messageId as string }
  }

  close() {
    this.#transport?.close()
    this.#transport = undefined
  }
}
