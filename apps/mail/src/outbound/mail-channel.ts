import { Logger } from '@nestjs/common';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface Envelope {
  from: string;
  to: string;
}

/**
 * Where an email goes. `handOver` is called once, right before the message itself leaves (after
 * the SMTP server said 354 to DATA): it records the send, and if it throws nothing leaves.
 */
export interface MailChannel {
  deliver(envelope: Envelope, messageId: string, raw: Buffer, handOver: () => Promise<void>): Promise<string>;
  /** Forgets the copies of these emails it keeps, if it keeps any (an erased customer's). */
  erase(messageIds: string[]): Promise<void>;
}

/** What an SMTP failure says about the email: the server answered (a reply code), or the line broke. */
export function smtpReplyCode(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * A connection per email to the server `PARLEY_SMTP_URL` names. The message is a stream read only
 * once the server accepted the envelope and DATA, so `handOver` runs after everything that can be
 * retried safely and before the first byte of the message is written.
 */
export class SmtpChannel implements MailChannel {
  constructor(private readonly url: URL) {}

  deliver(
    envelope: Envelope,
    _messageId: string,
    raw: Buffer,
    handOver: () => Promise<void>,
  ): Promise<string> {
    const secure = this.url.protocol === 'smtps:';
    const connection = new SMTPConnection({
      host: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : secure ? 465 : 587,
      secure,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    let read = false;
    const message = new Readable({
      read() {
        if (read) return;
        read = true;
        handOver().then(
          () => {
            this.push(raw);
            this.push(null);
          },
          (error: Error) => this.destroy(error),
        );
      },
    });
    return new Promise<string>((done, fail) => {
      let settled = false;
      const finish = (error: Error | null, response?: string) => {
        if (settled) return;
        settled = true;
        if (error) {
          // A message cut short must never be taken: the connection goes without the final dot.
          connection.close();
          fail(error);
        } else {
          connection.quit();
          done(response ?? '');
        }
      };
      // `on`, not `once`: a second error (while quitting, say) must not go unhandled.
      connection.on('error', (error: Error) => finish(error));
      connection.once('end', () => finish(new Error('the SMTP server closed the connection')));
      connection.connect((error?: Error | null) => {
        if (error) return finish(error);
        const send = () =>
          connection.send({ from: envelope.from, to: [envelope.to] }, message, (err, info) =>
            finish(err ?? null, info?.response),
          );
        if (!this.url.username) return send();
        connection.login(
          { user: decodeURIComponent(this.url.username), pass: decodeURIComponent(this.url.password) },
          (err) => (err ? finish(err) : send()),
        );
      });
    });
  }

  /** An email handed to the SMTP server has left Parley: nothing of it is kept here. */
  erase(): Promise<void> {
    return Promise.resolve();
  }
}

/** Without an SMTP server (development): each email becomes `<dir>/<Message-ID>.eml`, and its path is logged. */
export class DropDirChannel implements MailChannel {
  private readonly log = new Logger('mail');

  constructor(private readonly dir: string) {}

  async deliver(
    _envelope: Envelope,
    messageId: string,
    raw: Buffer,
    handOver: () => Promise<void>,
  ): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    await handOver();
    const file = this.fileOf(messageId);
    await writeFile(file, raw);
    this.log.log(`email ${messageId} written to ${file}`);
    return `written to ${file}`;
  }

  async erase(messageIds: string[]): Promise<void> {
    for (const messageId of messageIds) await rm(this.fileOf(messageId), { force: true });
  }

  private fileOf(messageId: string): string {
    return resolve(join(this.dir, `${messageId.replace(/[^A-Za-z0-9@._-]/g, '')}.eml`));
  }
}

export function mailChannel(smtpUrl: string, dropDir: string): MailChannel {
  return smtpUrl ? new SmtpChannel(new URL(smtpUrl)) : new DropDirChannel(dropDir);
}

export const MAIL_CHANNEL = Symbol('MAIL_CHANNEL');
