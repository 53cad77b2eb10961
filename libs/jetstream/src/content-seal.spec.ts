import { randomBytes } from 'node:crypto';
import { headers } from '@nats-io/nats-core';
import { mailSenderScopeId, ReceiveMail } from '@parley/contracts';
import { ContentKeyStore } from './content-keys';
import { ContentKeyDestroyed, ContentSeal, SEALED_CONTENT_HEADER } from './content-seal';
import { UndecodablePayload } from './payload';

/** Keys as a process holds them once read; `destroyed` scopes have none. */
function knownKeys(destroyed: string[] = []): ContentKeyStore {
  const keys = new Map<string, Buffer>();
  const keyOf = (id: string) => keys.get(id) ?? keys.set(id, randomBytes(32)).get(id);
  return {
    sealingKey: async ({ id }: { id: string }) => ({ generation: 1, key: keyOf(id) }),
    openingKey: async ({ id }: { id: string }) => (destroyed.includes(id) ? undefined : keyOf(id)),
  } as unknown as ContentKeyStore;
}

const sealedHeaders = headers();
sealedHeaders.set(SEALED_CONTENT_HEADER, '1');

const mail = (to: string[]) => ({
  issuedBy: { id: 'mail', role: 'admin' },
  acceptedAt: new Date().toISOString(),
  id: 'mail-1',
  messageId: 'a@example.com',
  source: 'smtp',
  from: 'Grace@Example.com',
  to,
  subject: 'Re: your parcel',
  text: 'It arrived, thank you',
  receivedAt: new Date().toISOString(),
});

describe('ContentSeal', () => {
  it('seals an email under the conversation its reply address names, else under its sender, and opens it back', async () => {
    const store = knownKeys();
    const seal = new ContentSeal(store);
    const reply = mail(['reply+conv-1.0123456789abcdef0123@mail.example.com']);
    const sealedReply = (await seal.seal(ReceiveMail.subject, reply)).payload as typeof reply;
    expect(sealedReply.text).toMatch(/^content\.v1\.conversation\.conv-1\.1\./);
    expect(sealedReply.from).toMatch(/^content\.v1\.conversation\.conv-1\./);
    expect(reply.text).toBe('It arrived, thank you');

    const stray = mail(['support@example.com']);
    const sealedStray = (await seal.seal(ReceiveMail.subject, stray)).payload as typeof stray;
    expect(sealedStray.subject).toMatch(
      new RegExp(`^content\\.v1\\.customer\\.${mailSenderScopeId('grace@example.com')}\\.1\\.`),
    );
    expect(JSON.stringify(sealedStray)).not.toMatch(/Grace|parcel|arrived/);

    for (const [sealed, plain] of [
      [sealedReply, reply],
      [sealedStray, stray],
    ])
      expect(await seal.open(ReceiveMail.subject, structuredClone(sealed), sealedHeaders)).toEqual(plain);
  });

  it('refuses a sealed value moved to another field, and names a destroyed key', async () => {
    const seal = new ContentSeal(knownKeys());
    const sealed = (await seal.seal(ReceiveMail.subject, mail(['x@example.com']))).payload as ReturnType<
      typeof mail
    >;
    await expect(
      seal.open(ReceiveMail.subject, { ...sealed, subject: sealed.text }, sealedHeaders),
    ).rejects.toThrow(UndecodablePayload);
    const gone = new ContentSeal(knownKeys([mailSenderScopeId('grace@example.com') as string]));
    await expect(gone.open(ReceiveMail.subject, structuredClone(sealed), sealedHeaders)).rejects.toThrow(
      ContentKeyDestroyed,
    );
  });
});
