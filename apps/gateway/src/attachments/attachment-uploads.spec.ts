import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectInfo } from '@nats-io/obj';
import type { AttachmentObjectMetadata } from '@parley/contracts';
import { DEV_SECRET_KEY } from '@parley/runtime';
import { GatewayEnv } from '../gateway.env';
import { AttachmentLinks } from './attachment-links';
import type { AttachmentObject, AttachmentStore } from './attachment-store';
import { AttachmentUploads, Upload } from './attachment-uploads';

/** The object store as far as uploads use it: reads the whole stream, as `put` does, or fails with it. */
class FakeStore {
  readonly objects = new Map<string, AttachmentObject>();

  async find(id: string) {
    return this.objects.get(id);
  }

  async put(id: string, metadata: AttachmentObjectMetadata, bytes: ReadableStream<Uint8Array>) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of bytes) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    const digest = `SHA-256=${createHash('sha256').update(data).digest('base64url')}`;
    const info = { name: id, size: data.length, digest, metadata } as unknown as AttachmentObject;
    this.objects.set(id, info);
    return info as ObjectInfo;
  }
}

const config = {
  PARLEY_SECRET_KEY: DEV_SECRET_KEY,
  PARLEY_ATTACHMENT_URL_TTL_SECONDS: 300,
  PARLEY_ATTACHMENT_MAX_BYTES: 64,
} as GatewayEnv;
const customer = { id: 'cu-1', role: 'customer' as const };

function setUp() {
  const store = new FakeStore();
  const uploads = new AttachmentUploads(
    store as unknown as AttachmentStore,
    new AttachmentLinks(config),
    config,
  );
  uploads.detect = async (head) =>
    Buffer.from(head).toString('latin1').startsWith('\x89PNG')
      ? { ext: 'png', mime: 'image/png' }
      : undefined;
  const upload = (chunks: string[], fields: Partial<Upload> = {}) =>
    uploads.upload({
      attachmentId: 'f1',
      conversationId: 'c1',
      uploader: customer,
      fileName: 'file',
      length: chunks.join('').length,
      body: Readable.from(chunks.map((c) => Buffer.from(c, 'latin1'))),
      ...fields,
    });
  return { store, upload };
}

describe('AttachmentUploads', () => {
  it('stores the bytes under the id with the metadata the conversation service checks, and answers their SHA-256', async () => {
    const { store, upload } = setUp();

    const answer = await upload(['\x89PNG', '\r\n-rest-of-image'], { fileName: 'shot.png' });

    expect(answer).toMatchObject({ id: 'f1', name: 'shot.png', contentType: 'image/png', size: 20 });
    expect(answer.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(answer.url).toMatch(/^\/v1\/attachments\/f1\?token=/);
    expect(store.objects.get('f1')?.metadata).toEqual({
      conversationId: 'c1',
      uploaderId: 'cu-1',
      uploaderRole: 'customer',
      fileName: 'shot.png',
      contentType: 'image/png',
    });
  });

  it('answers a retry of a stored upload with the same attachment, reading nothing', async () => {
    const { upload } = setUp();
    const first = await upload(['hello']);
    const again = await upload(['hello'], { body: Readable.from([]) });
    expect(again).toEqual({ ...first, url: expect.any(String) });
  });

  it('refuses a retried key used for another conversation with 409', async () => {
    const { upload } = setUp();
    await upload(['hello']);
    await expect(upload(['hello'], { conversationId: 'c2' })).rejects.toMatchObject({ status: 409 });
  });

  it('refuses text that turns out binary at its end with 422, and keeps nothing', async () => {
    const { store, upload } = setUp();
    await expect(upload(['plain so far ', 'then \x00'])).rejects.toMatchObject({ status: 422 });
    expect(store.objects.size).toBe(0);
  });

  it('refuses a body longer than its Content-Length with 400, and one over the limit with 413', async () => {
    const { upload } = setUp();
    await expect(upload(['0123456789'], { length: 5 })).rejects.toMatchObject({ status: 400 });
    await expect(upload(['x'], { length: 65 })).rejects.toMatchObject({ status: 413 });
  });
});
