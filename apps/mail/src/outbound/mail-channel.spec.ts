import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { DropDirChannel, smtpReplyCode, SmtpChannel } from './mail-channel';

const RAW = Buffer.from('From: a@test.example\r\nTo: b@test.example\r\nSubject: hi\r\n\r\nHello\r\n');
const ENVELOPE = { from: 'a@test.example', to: 'b@test.example' };

describe('SmtpChannel, against a real SMTP server', () => {
  const taken: string[] = [];
  let server: SMTPServer;
  let channel: SmtpChannel;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) =>
        address.address.startsWith('refused')
          ? callback(Object.assign(new Error('No such user'), { responseCode: 550 }))
          : callback(),
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          taken.push(Buffer.concat(chunks).toString());
          callback();
        });
      },
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    channel = new SmtpChannel(new URL(`smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`));
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));
  beforeEach(() => taken.splice(0));

  it('hands the message over once the envelope is accepted, and answers with the 250', async () => {
    const handOver = jest.fn(async () => expect(taken).toEqual([]));
    const response = await channel.deliver(ENVELOPE, '<m1@test.example>', RAW, handOver);
    expect(response).toMatch(/^250 /);
    expect(handOver).toHaveBeenCalledTimes(1);
    expect(taken).toEqual([RAW.toString()]);
  });

  it('sends nothing when the hand-over cannot be recorded', async () => {
    const refused = channel.deliver(ENVELOPE, '<m2@test.example>', RAW, async () => {
      throw new Error('claimed by another process');
    });
    await expect(refused).rejects.toThrow(/claimed by another process/);
    await new Promise((done) => setTimeout(done, 100));
    expect(taken).toEqual([]);
  });

  it('never hands over a message whose recipient the server refused, and reports its reply code', async () => {
    const handOver = jest.fn(async () => undefined);
    const error = await channel
      .deliver({ ...ENVELOPE, to: 'refused@test.example' }, '<m3@test.example>', RAW, handOver)
      .catch((e: unknown) => e);
    expect(smtpReplyCode(error)).toBe(550);
    expect(handOver).not.toHaveBeenCalled();
  });
});

describe('DropDirChannel', () => {
  it('writes the message as <Message-ID>.eml once the hand-over is recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-mail-'));
    try {
      const handOver = jest.fn(async () => expect(readdirSync(dir)).toEqual([]));
      const result = await new DropDirChannel(dir).deliver(
        ENVELOPE,
        '<notification-c1-2@reply.test>',
        RAW,
        handOver,
      );
      expect(handOver).toHaveBeenCalledTimes(1);
      const file = join(dir, 'notification-c1-2@reply.test.eml');
      expect(result).toBe(`written to ${file}`);
      expect(readFileSync(file, 'utf8')).toBe(RAW.toString());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
