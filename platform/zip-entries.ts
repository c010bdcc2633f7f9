// The names inside a ZIP archive in the object store, read from its central directory
// with two or three ranged GETs (never the whole archive): how a take-down finds the
// export archives that hold a video (S-TAKEDOWN). ZIP64 archives (yazl writes them past
// 4 GiB or 65,535 entries) are read through their ZIP64 end record.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStore } from './s3.ts';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;
/** The end record (22 bytes) plus the longest comment a ZIP may carry. */
const TAIL_BYTES = 22 + 0xffff;

async function range(store: ObjectStore, key: string, spec: string): Promise<Buffer> {
  const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key, Range: spec }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

/** Where the central directory is: from the end record, or its ZIP64 counterpart. */
async function centralDirectory(store: ObjectStore, key: string): Promise<{ offset: number; size: number }> {
  const tail = await range(store, key, `bytes=-${TAIL_BYTES}`);
  let at = tail.length - 22;
  while (at >= 0 && tail.readUInt32LE(at) !== EOCD) at--;
  if (at < 0) throw new Error(`${key} is not a ZIP archive`);
  const size = tail.readUInt32LE(at + 12);
  const offset = tail.readUInt32LE(at + 16);
  if (offset !== 0xffffffff && size !== 0xffffffff) return { offset, size };
  const locator = at - 20;
  if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR)
    throw new Error(`${key}: no ZIP64 locator`);
  const recordAt = Number(tail.readBigUInt64LE(locator + 8));
  const record = await range(store, key, `bytes=${recordAt}-${recordAt + 55}`);
  if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new Error(`${key}: no ZIP64 end record`);
  return { size: Number(record.readBigUInt64LE(40)), offset: Number(record.readBigUInt64LE(48)) };
}

/** Every entry name in the archive stored under `key`. */
export async function zipEntryNames(store: ObjectStore, key: string): Promise<string[]> {
  const { offset, size } = await centralDirectory(store, key);
  if (size === 0) return [];
  const directory = await range(store, key, `bytes=${offset}-${offset + size - 1}`);
  const names: string[] = [];
  for (let at = 0; at + 46 <= directory.length && directory.readUInt32LE(at) === CENTRAL_ENTRY;) {
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    names.push(directory.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
