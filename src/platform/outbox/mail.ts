// E-mail over SMTP with nodemailer (SMTP_URL). Without SMTP_URL the instance is
// in dev mode: messages go to the log, marked as such, and count as delivered.
// nodemailer is loaded only when SMTP_URL is set: a server without it never
// needs the module, which costs about 10 MiB of RSS.
import type { FastifyBaseLogger } from 'fastify';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Stable id, so a receiving system can drop a redelivered copy (at-least-once delivery). */
  messageId: string;
}

export interface Mailer {
  readonly mode: 'smtp' | 'dev-log';
  send(msg: MailMessage): Promise<void>;
  close(): void;
}

/** A pooled SMTP transport: connections are reused, which is what makes hundreds of messages a second possible. */
export function smtpMailer(smtpUrl: string, from: string, opts: { maxConnections?: number } = {}): Mailer {
  const url = new URL(smtpUrl);
  const transport = import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    maxMessages: Infinity,
    // `?tls=off` on a local test or relay server that offers no certificate.
    ignoreTLS: url.searchParams.get('tls') === 'off',
    tls: url.searchParams.get('tls') === 'insecure' ? { rejectUnauthorized: false } : undefined,
  }));
  return {
    mode: 'smtp',
    async send(msg) {
      await (await transport).sendMail({ from, to: msg.to, subject: msg.subject, text: msg.text, messageId: msg.messageId });
    },
    close: () => void transport.then((t) => t.close()),
  };
}

/** Dev mode: the message is logged, clearly marked, and never leaves the machine. */
export function devLogMailer(log: FastifyBaseLogger): Mailer {
  return {
    mode: 'dev-log',
    async send(msg) {
      log.info({ devMode: true, mail: { to: msg.to, subject: msg.subject, text: msg.text, messageId: msg.messageId } }, 'e-mail (dev mode: SMTP_URL is unset, not sent)');
    },
    close: () => {},
  };
}

export function mailerFor(config: { SMTP_URL: string; MAIL_FROM: string }, log: FastifyBaseLogger): Mailer {
  return config.SMTP_URL ? smtpMailer(config.SMTP_URL, config.MAIL_FROM) : devLogMailer(log);
}
