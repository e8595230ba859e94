// Filesystem blob store under DATA_DIR/blobs, temp files under DATA_DIR/tmp.
// Both live on one filesystem, so rename(2) is atomic. Durability order for a
// put: fsync the file, rename, fsync the destination directory — after which the
// blob survives a power cut, and before which a crash leaves only a temp file.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { assertBlobKey, type BlobStore, type ByteRange } from './store.ts';

export class FsBlobStore implements BlobStore {
  readonly root: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'blobs');
    this.tmpDir = path.join(dataDir, 'tmp');
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
  }

  #path(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  tempPath(): string {
    return path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
  }

  async put(key: string, tempFile: string): Promise<void> {
    const dest = this.#path(key);
    if (path.dirname(tempFile) !== this.tmpDir) throw new Error('put: the source must be a temp file of this store');
    const fh = await fsp.open(tempFile, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const dir = path.dirname(dest);
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.rename(tempFile, dest);
    await syncDir(dir);
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.#path(key);
    // Open first so a missing blob rejects here rather than as a stream error.
    const fh = await fsp.open(file, 'r');
    return fh.createReadStream(range ? { start: range.start, end: range.end, autoClose: true } : { autoClose: true });
  }

  async read(key: string, offset: number, length: number): Promise<Buffer> {
    const fh = await fsp.open(this.#path(key), 'r');
    try {
      const buf = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === length ? buf : buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await fsp.stat(this.#path(key))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.#path(key);
    await fsp.rm(file, { force: true });
    await syncDir(path.dirname(file)).catch(() => {});
  }

  async *list(): AsyncIterable<string> {
    for await (const entry of await fsp.opendir(this.root, { recursive: true })) {
      if (!entry.isFile()) continue;
      const rel = path.relative(this.root, path.join(entry.parentPath, entry.name));
      yield rel.split(path.sep).join('/');
    }
  }

  async sweepTemp(): Promise<number> {
    let n = 0;
    for (const name of await fsp.readdir(this.tmpDir)) {
      await fsp.rm(path.join(this.tmpDir, name), { force: true, recursive: true });
      n++;
    }
    return n;
  }
}

/** fsync a directory so a rename or unlink in it is durable (POSIX; a no-op error on some platforms). */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on directories (EINVAL/EISDIR); the rename itself is still atomic.
    if (!['EINVAL', 'EISDIR', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await fh.close();
  }
}
