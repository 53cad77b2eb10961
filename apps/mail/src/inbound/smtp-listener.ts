import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import type { Readable } from 'node:stream';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { ReceiveMail, receiveMailOf } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { MailEnv } from '../mail.env';
import { readSmtpMail } from './received-mail';

/** Who issues the ReceiveMail of an email the listener took. */
const SMTP_LISTENER = { id: 'smtp-listener', role: 'admin' } as const;

/** An SMTP error reply: smtp-server answers with the code the error carries. */
function refusal(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * The SMTP server replies by email arrive at (`PARLEY_MAIL_SMTP_PORT`; 0 runs none). It takes mail
 * for the reply domain only, refused at RCPT (550) for any other, and answers 250 only once the
 * email is durably in JetStream as a ReceiveMail: the sending server keeps what is refused with a
 * 4xx and tries again, so no email is lost between the two.
 */
@Injectable()
export class SmtpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SmtpListener.name);
  private server?: SMTPServer;

  constructor(
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) private readonly config: MailEnv,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.PARLEY_MAIL_SMTP_PORT;
    if (!port) return;
    const domain = this.config.PARLEY_MAIL_REPLY_DOMAIN.toLowerCase();
    this.server = new SMTPServer({
      name: domain,
      banner: 'Parley replies by email',
      // Mail comes from other mail servers, which do not authenticate; without certificates there is no TLS.
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: this.config.PARLEY_MAIL_SMTP_MAX_BYTES,
      logger: false,
      onRcptTo: (address, _session, done) =>
        address.address.toLowerCase().endsWith(`@${domain}`)
          ? done()
          : done(refusal(550, `No mailbox here for ${address.address}: only @${domain} takes mail`)),
      onData: (stream, session, done) => {
        this.take(stream, session).then(
          () => done(),
          (error: Error) => done(error),
        );
      },
    });
    this.server.on('error', (error) => this.log.error(`SMTP listener: ${error.message}`));
    await new Promise<void>((listening, failed) => {
      this.server?.once('error', failed);
      this.server?.listen(port, () => listening());
    });
    this.log.log(`taking replies by email for @${domain} on SMTP port ${port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((closed) => (this.server ? this.server.close(closed) : closed()));
  }

  /** Reads the email and stores it as a ReceiveMail; throws the SMTP error to answer otherwise. */
  private async take(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const raw = await read(stream);
    if (stream.sizeExceeded)
      throw refusal(552, `Message larger than ${this.config.PARLEY_MAIL_SMTP_MAX_BYTES} bytes`);
    const parsed = await simpleParser(raw);
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const body = receiveMailOf(readSmtpMail(parsed, recipients), new Date());
    const command = { ...body, issuedBy: SMTP_LISTENER, acceptedAt: body.receivedAt };
    try {
      await this.publisher.publish(ReceiveMail.subject, command, `mail:${body.id}`);
    } catch (error) {
      this.log.warn(`could not store email ${body.messageId}, refused for now: ${(error as Error).message}`);
      throw refusal(451, 'Temporarily unable to take the message, try again later');
    }
  }
}

function read(stream: Readable): Promise<Buffer> {
  return new Promise((done, failed) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', failed);
  });
}
