import { classify, DetectedType, PlainTextCheck } from './attachment-type';

/** What file-type answers for the magic numbers these tests use (the e2e runs the real one). */
const MAGIC: Array<[string, DetectedType]> = [
  ['\x89PNG', { ext: 'png', mime: 'image/png' }],
  ['\xff\xd8\xff', { ext: 'jpg', mime: 'image/jpeg' }],
  ['GIF89a', { ext: 'gif', mime: 'image/gif' }],
  ['RIFF', { ext: 'webp', mime: 'image/webp' }],
  ['%PDF', { ext: 'pdf', mime: 'application/pdf' }],
  ['\x7fELF', { ext: 'elf', mime: 'application/x-elf' }],
  ['MZ', { ext: 'exe', mime: 'application/x-msdownload' }],
  ['\xcf\xfa\xed\xfe', { ext: 'macho', mime: 'application/x-mach-binary' }],
  ['PK\x03\x04', { ext: 'zip', mime: 'application/zip' }],
];
const detect = async (head: Uint8Array) =>
  MAGIC.find(([magic]) => Buffer.from(head).toString('latin1').startsWith(magic))?.[1];
const bytes = (text: string) => Buffer.from(text, 'latin1');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('the type of an attachment, from its bytes', () => {
  it.each([
    ['\x89PNG\r\n', 'image/png'],
    ['\xff\xd8\xff\xe0', 'image/jpeg'],
    ['GIF89a', 'image/gif'],
    ['RIFF....WEBP', 'image/webp'],
    ['%PDF-1.7', 'application/pdf'],
  ])('accepts %j as %s', async (head, type) => {
    expect(await classify(bytes(head), detect)).toEqual({ verdict: 'accepted', type });
  });

  it.each([
    ['an ELF executable', '\x7fELF\x02\x01', 'application/x-elf'],
    ['a Windows executable', 'MZ\x90\x00', 'application/x-msdownload'],
    ['a Mach-O executable', '\xcf\xfa\xed\xfe', 'application/x-mach-binary'],
    ['an archive', 'PK\x03\x04', 'application/zip'],
  ])('refuses %s, naming the type found', async (_, head, detected) => {
    expect(await classify(bytes(head), detect)).toEqual({ verdict: 'refused', detected });
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><p>hi', 'text/html'],
    ['HTML after whitespace', '\n  <html><body>', 'text/html'],
    ['an SVG image', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">', 'image/svg+xml'],
    ['text with a script in it', 'Dear team,\n<script>alert(1)</script>', 'text/html'],
  ])('refuses %s, which has no magic number but runs script', async (_, text, detected) => {
    expect(await classify(utf8(text), detect)).toEqual({ verdict: 'refused', detected });
  });

  it('takes bytes without a magic number as plain text, to be checked to the end', async () => {
    expect(await classify(utf8('Order 1234 arrived broken: 3 < 4 boxes'), detect)).toEqual({
      verdict: 'text',
    });
  });
});

describe('PlainTextCheck', () => {
  const check = (...chunks: Buffer[]) => {
    const text = new PlainTextCheck();
    for (const chunk of chunks) text.push(chunk);
    text.end();
    return text.fail;
  };

  it('passes UTF-8 text, a character split across chunks included', () => {
    const euro = utf8('€');
    expect(check(utf8('price: '), euro.subarray(0, 1), euro.subarray(1), utf8(' 12'))).toBeUndefined();
  });

  it('fails bytes that are not UTF-8', () => {
    expect(check(bytes('caf\xe9 au lait'))).toMatch(/not valid UTF-8/);
  });

  it('fails text cut in the middle of a character', () => {
    expect(check(utf8('€').subarray(0, 2))).toMatch(/not valid UTF-8/);
  });

  it('fails text with a NUL byte, as binary formats have', () => {
    expect(check(utf8('abc'), Buffer.from([0x61, 0x00, 0x62]))).toMatch(/NUL/);
  });
});
