// yazl computes every archive entry's CRC-32 through buffer-crc32, which npm resolves to
// packages/buffer-crc32 (native zlib). A wrong value there makes every export archive
// one that other unzip tools reject, so it is checked against a bitwise CRC-32 written
// out here from the definition, not against zlib itself.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type BufferCrc32 = ((input: Buffer | string, previous?: Buffer | number) => Buffer) & {
  signed(input: Buffer | string | number, previous?: Buffer | number): number;
  unsigned(input: Buffer | string | number, previous?: Buffer | number): number;
};
// Resolved from yazl's own folder, as yazl resolves it.
const yazlRequire = createRequire(require.resolve('yazl'));
const crc32 = yazlRequire('buffer-crc32') as BufferCrc32;

/** CRC-32/ISO-HDLC bit by bit: reflected polynomial 0xEDB88320, all ones in and out. */
function reference(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('buffer-crc32 for yazl', () => {
  it('is the project package over zlib, not the JavaScript loop', () => {
    expect(yazlRequire.resolve('buffer-crc32')).toMatch(/packages\/buffer-crc32\/index\.cjs$/);
  });

  it('answers the CRC-32 check value and the reference over random bytes', () => {
    expect(crc32.unsigned('123456789')).toBe(0xcbf43926);
    const bytes = randomBytes(70_000);
    expect(crc32.unsigned(bytes)).toBe(reference(bytes));
    expect(crc32.unsigned(Buffer.alloc(0))).toBe(0);
    expect(crc32.unsigned(3)).toBe(reference(new Uint8Array(3)));
  });

  it('continues from a previous value, as yazl does chunk by chunk', () => {
    const bytes = randomBytes(200_000);
    let running = 0;
    for (let at = 0; at < bytes.length; at += 65_536)
      running = crc32.unsigned(bytes.subarray(at, at + 65_536), running);
    expect(running).toBe(reference(bytes));
    // A previous value past 2^31 (unsigned) and the same as a 4-byte buffer.
    const first = crc32(bytes.subarray(0, 5));
    expect(first.readUInt32BE(0)).toBeGreaterThan(0);
    expect(crc32.unsigned(bytes.subarray(5), first)).toBe(reference(bytes));
    expect(crc32.unsigned(bytes.subarray(5), first.readUInt32BE(0))).toBe(reference(bytes));
  });

  it('answers signed and buffer forms of the same value', () => {
    const bytes = randomBytes(1000);
    const value = reference(bytes);
    expect(crc32.signed(bytes)).toBe(value | 0);
    expect(crc32(bytes).readUInt32BE(0)).toBe(value);
  });
});
