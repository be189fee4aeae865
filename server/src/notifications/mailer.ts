// Sending one email over SMTP. One connection per message (no pool): the volume is a few
// hundred absence emails a day, and a fresh connection recovers by itself when the mail
// server comes back. Short timeouts so a dead server fails the attempt quickly; the job is
// then retried with backoff (jobs.ts), never waited on.
import nodemailer from 'nodemailer';
import type { NotificationsConfig } from './config.js';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  /** The job's dedupe key, as X-Rollcall-Notification: lets a mailbox spot a re-send. */
  notificationKey: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export function smtpMailer(config: Pick<NotificationsConfig, 'smtpUrl' | 'from' | 'smtpTimeoutMs'>): Mailer {
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: config.smtpTimeoutMs,
    greetingTimeout: config.smtpTimeoutMs,
    socketTimeout: config.smtpTimeoutMs * 3,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      await transport.sendMail({
        from: config.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: { 'X-Rollcall-Notification': message.notificationKey },
      });
    },
    close() {
      transport.close();
    },
  };
}
