import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { FsBlobStore } from '../../src/platform/blobs/fs.ts';
import { loadMasterKey } from '../../src/platform/master-key.ts';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'blobs-'));
  try {
    await fn(dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

test('put moves a temp file into place; read, range, list, delete', () =>
  withDir(async (dir) => {
    const store = new FsBlobStore(dir);
    const tmp = store.tempPath();
    await fsp.writeFile(tmp, 'hello, blob store');
    await store.put('clips/ab/abcdef.enc', tmp);
    assert.equal(fs.existsSync(tmp), false, 'the temp file is gone');
    assert.equal(await store.size('clips/ab/abcdef.enc'), 17);
    assert.equal((await buffer(await store.openRead('clips/ab/abcdef.enc'))).toString(), 'hello, blob store');
    assert.equal((await buffer(await store.openRead('clips/ab/abcdef.enc', { start: 7, end: 10 }))).toString(), 'blob');
    assert.equal((await store.read('clips/ab/abcdef.enc', 12, 100)).toString(), 'store');
    const keys: string[] = [];
    for await (const k of store.list()) keys.push(k);
    assert.deepEqual(keys, ['clips/ab/abcdef.enc']);
    await store.delete('clips/ab/abcdef.enc');
    await store.delete('clips/ab/abcdef.enc');
    assert.equal(await store.size('clips/ab/abcdef.enc'), undefined);
    await assert.rejects(store.openRead('clips/ab/abcdef.enc'), { code: 'ENOENT' });
  }));

test('keys cannot escape the store, and only its own temp files can be put', () =>
  withDir(async (dir) => {
    const store = new FsBlobStore(dir);
    for (const key of ['../x', 'clips/../../x', '/etc/passwd', 'clips//x', 'Clips/x', '']) {
      await assert.rejects(store.size(key), /invalid blob key/, key);
    }
    const outside = path.join(dir, 'elsewhere');
    await fsp.writeFile(outside, 'x');
    await assert.rejects(store.put('clips/x', outside), /temp file/);
  }));

test('sweepTemp removes leftover spool files', () =>
  withDir(async (dir) => {
    const store = new FsBlobStore(dir);
    await fsp.writeFile(store.tempPath(), 'partial');
    await fsp.writeFile(store.tempPath(), 'partial');
    assert.equal(await store.sweepTemp(), 2);
    assert.equal(await store.sweepTemp(), 0);
  }));

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
