// The blob-store contract, run against both stores: the filesystem under
// DATA_DIR and S3 (a real s3rver started here). Then what only S3 needs: an
// object is visible only once its upload completes, a failed upload is aborted,
// young objects are kept out of the orphan sweep, and only ciphertext arrives.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { S3Client } from '@aws-sdk/client-s3';
import { FsBlobStore } from '../../src/platform/blobs/fs.ts';
import { S3BlobStore, s3Client } from '../../src/platform/blobs/s3.ts';
import type { BlobStore } from '../../src/platform/blobs/store.ts';
import { loadMasterKey } from '../../src/platform/master-key.ts';
import { Vault } from '../../src/platform/sealed/vault.ts';
import { sealedSize } from '../../src/platform/sealed/format.ts';
import { startS3 } from '../helpers/s3.ts';

const s3 = await startS3();
const clients: S3Client[] = [];
after(async () => {
  for (const c of clients) c.destroy();
  await s3.stop();
});

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  try {
    await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

function client(): S3Client {
  const c = s3Client({ endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  clients.push(c);
  return c;
}

const s3Opts = { partSize: 5 * 1024 * 1024, queueSize: 2, staleUploadMs: 24 * 3600_000, settleMs: 0, now: Date.now };
const newS3 = (dir: string, c = client(), opts = s3Opts) =>
  new S3BlobStore(c, { bucket: s3.bucket, prefix: `p${randomBytes(4).toString('hex')}` }, 'clips', path.join(dir, 'tmp'), opts);

const STORES: [string, (dir: string) => BlobStore][] = [
  ['fs', (dir) => new FsBlobStore(dir)],
  ['s3', (dir) => newS3(dir)],
];

for (const [kind, make] of STORES) {
  describe(`blob store [${kind}]`, () => {
    test('put moves a temp file into place; read, range, list, delete', () =>
      withDir(async (dir) => {
        const store = make(dir);
        const tmp = store.tempPath();
        await fsp.writeFile(tmp, 'hello, blob store');
        await store.put('clips/ab/abcdef.enc', tmp);
        assert.equal(fs.existsSync(tmp), false, 'the temp file is gone');
        assert.equal(await store.size('clips/ab/abcdef.enc'), 17);
        assert.equal((await buffer(await store.openRead('clips/ab/abcdef.enc'))).toString(), 'hello, blob store');
        assert.equal((await buffer(await store.openRead('clips/ab/abcdef.enc', { start: 7, end: 10 }))).toString(), 'blob');
        assert.equal((await store.read('clips/ab/abcdef.enc', 12, 100)).toString(), 'store');
        assert.equal((await store.read('clips/ab/abcdef.enc', 17, 10)).length, 0, 'a read past the end is short, not an error');
        const keys: string[] = [];
        for await (const k of store.list()) keys.push(k);
        assert.deepEqual(keys, ['clips/ab/abcdef.enc']);
        await store.delete('clips/ab/abcdef.enc');
        await store.delete('clips/ab/abcdef.enc');
        assert.equal(await store.size('clips/ab/abcdef.enc'), undefined);
        await assert.rejects(store.openRead('clips/ab/abcdef.enc'), { code: 'ENOENT' });
        await assert.rejects(store.read('clips/ab/abcdef.enc', 0, 1), { code: 'ENOENT' });
      }));

    test('keys cannot escape the store, and only its own temp files can be put', () =>
      withDir(async (dir) => {
        const store = make(dir);
        for (const key of ['../x', 'clips/../../x', '/etc/passwd', 'clips//x', 'Clips/x', '']) {
          await assert.rejects(store.size(key), /invalid blob key/, key);
        }
        const outside = path.join(dir, 'elsewhere');
        await fsp.writeFile(outside, 'x');
        await assert.rejects(store.put('clips/x', outside), /temp file/);
      }));

    test('sweepTemp removes leftover spool files', () =>
      withDir(async (dir) => {
        const store = make(dir);
        await fsp.writeFile(store.tempPath(), 'partial');
        await fsp.writeFile(store.tempPath(), 'partial');
        assert.equal(await store.sweepTemp(), 2);
        assert.equal(await store.sweepTemp(), 0);
      }));

    test('a vault over the store: ranges decrypt from the segments that hold them', () =>
      withDir(async (dir) => {
        const vault = new Vault(make(dir), randomBytes(32));
        const plain = randomBytes(300_000);
        const spooled = await vault.spool('obj1', Readable.from([plain]), plain.length);
        await vault.commit(spooled, 'clips/ob/obj1.enc');
        const obj = { id: 'obj1', size: plain.length, wrapped_key: vault.wrap(spooled.dataKey, 'obj1'), blob_key: 'clips/ob/obj1.enc' };
        assert.deepEqual(await buffer(await vault.openAll(obj)), plain);
        for (const [s, e] of [[0, 0], [65_530, 65_545], [100_000, 299_999]] as const) {
          assert.deepEqual(await buffer(await vault.openRange(obj, s, e)), plain.subarray(s, e + 1), `${s}-${e}`);
        }
      }));
  });
}

describe('S3 store only', () => {
  test('only ciphertext reaches the bucket', () =>
    withDir(async (dir) => {
      const c = client();
      const store = newS3(dir, c);
      const vault = new Vault(store, randomBytes(32));
      const plain = Buffer.from('PLAINTEXT-MARKER '.repeat(4096));
      const spooled = await vault.spool('obj2', Readable.from([plain]), plain.length);
      await vault.commit(spooled, 'clips/ob/obj2.enc');
      const [key] = await keysOf(store);
      assert.equal(key, 'clips/ob/obj2.enc');
      const raw = await buffer(await store.openRead(key!));
      assert.equal(raw.length, sealedSize(plain.length));
      assert.equal(raw.includes(Buffer.from('PLAINTEXT-MARKER')), false);
    }));

  test('a multipart upload is invisible until it completes', () =>
    withDir(async (dir) => {
      const c = client();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let parts = 0;
      let reachedSecond!: () => void;
      const second = new Promise<void>((r) => (reachedSecond = r));
      c.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'UploadPartCommand' && ++parts === 2) {
            reachedSecond();
            await gate;
          }
          return next(args);
        },
        { step: 'initialize' },
      );
      const store = newS3(dir, c);
      const tmp = store.tempPath();
      await fsp.writeFile(tmp, randomBytes(11 * 1024 * 1024));
      const put = store.put('clips/mp/big.enc', tmp);
      await second;
      assert.equal(await store.size('clips/mp/big.enc'), undefined, 'not visible with one part uploaded');
      assert.deepEqual(await keysOf(store), []);
      release();
      await put;
      assert.equal(await store.size('clips/mp/big.enc'), 11 * 1024 * 1024);
    }));

  test('a failed upload sends AbortMultipartUpload, leaves no object, and keeps the spool for the caller', () =>
    withDir(async (dir) => {
      const c = client();
      const sent: string[] = [];
      let parts = 0;
      c.middlewareStack.add(
        (next, context) => async (args) => {
          sent.push(context.commandName!);
          if (context.commandName === 'UploadPartCommand' && ++parts === 2) throw new Error('injected: the network dropped');
          return next(args);
        },
        { step: 'initialize' },
      );
      const store = newS3(dir, c);
      const tmp = store.tempPath();
      await fsp.writeFile(tmp, randomBytes(11 * 1024 * 1024));
      // lib-storage rethrows the abort's own error when the abort fails too, as on s3rver (405): either way the put fails.
      await assert.rejects(store.put('clips/mp/fail.enc', tmp), /injected|not allowed/);
      assert.ok(sent.includes('AbortMultipartUploadCommand'), sent.join(' '));
      assert.equal(await store.size('clips/mp/fail.enc'), undefined);
      assert.equal(fs.existsSync(tmp), true, 'the vault discards the spool, not the store');
    }));

  test('list() keeps objects younger than the settle time out of the orphan sweep', () =>
    withDir(async (dir) => {
      const c = client();
      const prefix = `p${randomBytes(4).toString('hex')}`;
      const at = (now: () => number) => new S3BlobStore(c, { bucket: s3.bucket, prefix }, 'clips', path.join(dir, 'tmp'), { ...s3Opts, settleMs: 3600_000, now });
      const store = at(Date.now);
      const tmp = store.tempPath();
      await fsp.writeFile(tmp, 'fresh');
      await store.put('clips/fr/fresh.enc', tmp);
      assert.deepEqual(await keysOf(store), [], 'just put: maybe another node whose row is not committed yet');
      assert.deepEqual(await keysOf(at(() => Date.now() + 2 * 3600_000)), ['clips/fr/fresh.enc'], 'two hours on');
      // s3rver has no ListMultipartUploads: the stale sweep reports nothing rather than failing.
      assert.equal(await store.sweepStaleUploads(), 0);
    }));
});

async function keysOf(store: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of store.list()) keys.push(k);
  return keys;
}

test('the master key is generated once, 0600, and reused; a setting wins', () =>
  withDir(async (dir) => {
    const a = loadMasterKey(dir, '');
    const b = loadMasterKey(dir, '');
    assert.equal(a.length, 32);
    assert.deepEqual(a, b);
    assert.equal(fs.statSync(path.join(dir, 'master.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadMasterKey(dir, '11'.repeat(32)), Buffer.alloc(32, 0x11));
    fs.chmodSync(path.join(dir, 'master.key'), 0o644);
    assert.throws(() => loadMasterKey(dir, ''), /chmod 600/);
  }));
