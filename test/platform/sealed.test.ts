import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import {
  CHUNK_SIZE, HEADER_SIZE, TAG_SIZE, SealedDataError, newDataKey, openBuffer, openSealedRange, plainSizeOf, sealBuffer, sealedRangeFor, sealedSize,
} from '../../src/platform/sealed/format.ts';
import { EncryptStream, decryptAll, decryptRange, type OpenSealed } from '../../src/platform/sealed/streams.ts';
import { unwrapKey, wrapKey } from '../../src/platform/sealed/keys.ts';

const SEALED = CHUNK_SIZE + TAG_SIZE;

async function seal(key: Buffer, id: string, plain: Buffer, writes = 7): Promise<Buffer> {
  // Feed the plaintext in uneven writes so chunk boundaries never line up with them.
  const parts: Buffer[] = [];
  for (let at = 0, i = 1; at < plain.length; i++) {
    const n = Math.min(plain.length - at, (i * 9973) % (CHUNK_SIZE / writes) + 1);
    parts.push(plain.subarray(at, at + n));
    at += n;
  }
  return buffer(Readable.from(parts).pipe(new EncryptStream(key, id)));
}

const opener = (sealed: Buffer): OpenSealed => async ({ start, end }) => Readable.from([sealed.subarray(start, end + 1)]);
const openAll = (sealed: Buffer, key: Buffer, id: string, size: number) => decryptAll(opener(sealed), key, id, size).then(buffer);

test('round trips at sizes around chunk boundaries', async () => {
  const key = newDataKey();
  for (const size of [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 17]) {
    const plain = randomBytes(size);
    const sealed = await seal(key, 'clip-a', plain);
    assert.equal(sealed.length, sealedSize(size), `sealed size for ${size}`);
    assert.equal(plainSizeOf(sealed.length), size);
    assert.deepEqual(await openAll(sealed, key, 'clip-a', size), plain, `round trip for ${size}`);
    assert.deepEqual(openBuffer(key, 'clip-a', sealBuffer(key, 'clip-a', plain)), plain);
  }
});

test('range decryption returns exactly the requested bytes', async () => {
  const key = newDataKey();
  const plain = randomBytes(5 * CHUNK_SIZE + 1234);
  const sealed = await seal(key, 'clip-r', plain);
  const cases: [number, number][] = [
    [0, 0], [0, CHUNK_SIZE - 1], [CHUNK_SIZE - 1, CHUNK_SIZE], [100, 3 * CHUNK_SIZE + 5],
    [5 * CHUNK_SIZE, plain.length - 1], [plain.length - 1, plain.length - 1], [0, plain.length - 1],
  ];
  for (const [s, e] of cases) {
    const got = await buffer(await decryptRange(opener(sealed), key, 'clip-r', plain.length, s, e));
    assert.deepEqual(got, plain.subarray(s, e + 1), `range ${s}-${e}`);
    const r = sealedRangeFor(plain.length, s, e);
    assert.deepEqual(Buffer.concat(openSealedRange(key, 'clip-r', plain.length, s, e, sealed.subarray(r.start, r.end + 1))), plain.subarray(s, e + 1), `in-memory range ${s}-${e}`);
  }
  await assert.rejects(decryptRange(opener(sealed), key, 'clip-r', plain.length, 10, plain.length), RangeError);
});

test('a range read touches only the chunks it needs', async () => {
  const key = newDataKey();
  const plain = randomBytes(10 * CHUNK_SIZE);
  const sealed = await seal(key, 'clip-t', plain);
  const asked: { start: number; end: number }[] = [];
  const open: OpenSealed = async (r) => {
    asked.push(r);
    return Readable.from([sealed.subarray(r.start, r.end + 1)]);
  };
  await buffer(await decryptRange(open, key, 'clip-t', plain.length, 4 * CHUNK_SIZE + 10, 5 * CHUNK_SIZE + 10));
  assert.deepEqual(asked, [{ start: HEADER_SIZE + 4 * SEALED, end: HEADER_SIZE + 6 * SEALED - 1 }]);
});

test('tampering is detected: flip, reorder, drop, truncate, wrong clip id, wrong key', async () => {
  const key = newDataKey();
  const plain = randomBytes(4 * CHUNK_SIZE + 100);
  const sealed = await seal(key, 'clip-x', plain);
  const chunk = (i: number) => sealed.subarray(HEADER_SIZE + i * SEALED, HEADER_SIZE + (i + 1) * SEALED);
  const head = sealed.subarray(0, HEADER_SIZE);

  const flipped = Buffer.from(sealed);
  flipped[HEADER_SIZE + SEALED + 5] ^= 1;
  await assert.rejects(openAll(flipped, key, 'clip-x', plain.length), SealedDataError, 'bit flip');

  const reordered = Buffer.concat([head, chunk(1), chunk(0), chunk(2), chunk(3), sealed.subarray(HEADER_SIZE + 4 * SEALED)]);
  await assert.rejects(openAll(reordered, key, 'clip-x', plain.length), SealedDataError, 'reorder');

  // Dropping a middle chunk, and claiming the shorter size, still fails: indexes no longer match.
  const dropped = Buffer.concat([head, chunk(0), chunk(2), chunk(3), sealed.subarray(HEADER_SIZE + 4 * SEALED)]);
  await assert.rejects(openAll(dropped, key, 'clip-x', plain.length - CHUNK_SIZE), SealedDataError, 'drop');

  // Cut at a chunk boundary: the new last chunk was sealed as non-final.
  const cut = sealed.subarray(0, HEADER_SIZE + 4 * SEALED);
  await assert.rejects(openAll(cut, key, 'clip-x', 4 * CHUNK_SIZE), SealedDataError, 'truncate at boundary');
  await assert.rejects(openAll(cut, key, 'clip-x', plain.length), SealedDataError, 'truncate, size as recorded');
  await assert.rejects(openAll(sealed.subarray(0, sealed.length - 7), key, 'clip-x', plain.length), SealedDataError, 'truncate mid-chunk');

  const extended = Buffer.concat([sealed, chunk(0)]);
  await assert.rejects(openAll(extended, key, 'clip-x', plain.length + CHUNK_SIZE), SealedDataError, 'appended chunk');

  await assert.rejects(openAll(sealed, key, 'clip-y', plain.length), SealedDataError, 'other clip id');
  await assert.rejects(openAll(sealed, newDataKey(), 'clip-x', plain.length), SealedDataError, 'other key');

  // A range read over a tampered chunk fails too, and a range away from it still reads.
  await assert.rejects(decryptRange(opener(flipped), key, 'clip-x', plain.length, SEALED, SEALED + 10).then(buffer), SealedDataError);
  const r = sealedRangeFor(plain.length, CHUNK_SIZE, CHUNK_SIZE + 10);
  assert.throws(() => openSealedRange(key, 'clip-x', plain.length, CHUNK_SIZE, CHUNK_SIZE + 10, flipped.subarray(r.start, r.end + 1)), SealedDataError);
  assert.throws(() => openSealedRange(key, 'clip-x', plain.length, CHUNK_SIZE, CHUNK_SIZE + 10, flipped.subarray(r.start, r.end)), SealedDataError);
  // The final chunk read alone must carry the final flag: a cut blob whose last full chunk is presented as final fails.
  const cutR = sealedRangeFor(4 * CHUNK_SIZE, 3 * CHUNK_SIZE, 4 * CHUNK_SIZE - 1);
  assert.throws(() => openSealedRange(key, 'clip-x', 4 * CHUNK_SIZE, 3 * CHUNK_SIZE, 4 * CHUNK_SIZE - 1, cut.subarray(cutR.start, cutR.end + 1)), SealedDataError);
  assert.deepEqual(await buffer(await decryptRange(opener(flipped), key, 'clip-x', plain.length, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 9)), plain.subarray(3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 10));
});

test('data keys wrap under the master key, bound to their clip id', () => {
  const master = randomBytes(32);
  const dataKey = newDataKey();
  const wrapped = wrapKey(master, dataKey, 'clip-1');
  assert.equal(wrapped.length, 61);
  assert.deepEqual(unwrapKey(master, wrapped, 'clip-1'), dataKey);
  assert.throws(() => unwrapKey(master, wrapped, 'clip-2'), SealedDataError);
  assert.throws(() => unwrapKey(randomBytes(32), wrapped, 'clip-1'), SealedDataError);
  const bad = Buffer.from(wrapped);
  bad[20] ^= 1;
  assert.throws(() => unwrapKey(master, bad, 'clip-1'), SealedDataError);
});

test('property: any plaintext, split into any writes, reads back whole and by any range', async () => {
  const fc = (await import('fast-check')).default;
  const key = newDataKey();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 3 * CHUNK_SIZE + 100 }),
      fc.array(fc.integer({ min: 1, max: 2 * CHUNK_SIZE }), { minLength: 1, maxLength: 8 }),
      fc.tuple(fc.nat(), fc.nat()),
      async (size, splits, [a, b]) => {
        const plain = randomBytes(size);
        const parts: Buffer[] = [];
        for (let at = 0, i = 0; at < size; i++) {
          const n = splits[i % splits.length];
          parts.push(plain.subarray(at, at + n));
          at += n;
        }
        const sealed = await buffer(Readable.from(parts).pipe(new EncryptStream(key, 'prop')));
        assert.equal(sealed.length, sealedSize(size));
        assert.deepEqual(await openAll(sealed, key, 'prop', size), plain);
        if (size === 0) return;
        const s = a % size;
        const e = s + (b % (size - s));
        assert.deepEqual(await buffer(await decryptRange(opener(sealed), key, 'prop', size, s, e)), plain.subarray(s, e + 1));
        const r = sealedRangeFor(size, s, e);
        assert.deepEqual(Buffer.concat(openSealedRange(key, 'prop', size, s, e, sealed.subarray(r.start, r.end + 1))), plain.subarray(s, e + 1));
      },
    ),
    { numRuns: 60 },
  );
});
