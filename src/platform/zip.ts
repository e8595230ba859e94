// A ZIP written as a stream (fflate), for packages too large to hold in
// memory: evidence for agencies, an owner's export. Entries are added in
// order; a stream entry waits for the reader (backpressure), so memory stays
// bounded by one chunk, whatever the package's size.
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

export interface ZipWriter {
  /** The ZIP's bytes, to pipe to a response or a file. */
  readonly out: Readable;
  /** A small text file, deflated. */
  addText(name: string, text: string): void;
  /** A large file (video), stored as is, read as the reader drains. */
  addStream(name: string, body: AsyncIterable<Uint8Array | Buffer | string>): Promise<void>;
  end(): void;
  /** Ends the ZIP with an error (the reader sees it). */
  fail(err: unknown): void;
}

export function zipWriter(): ZipWriter {
  const out = new PassThrough();
  let needDrain = false;
  const zip = new Zip((err, chunk, final) => {
    if (err) return void out.destroy(err);
    if (!out.write(chunk)) needDrain = true;
    if (final) out.end();
  });
  return {
    out,
    addText(name, text) {
      const f = new ZipDeflate(name, { level: 6 });
      zip.add(f);
      f.push(new TextEncoder().encode(text), true);
    },
    async addStream(name, body) {
      const f = new ZipPassThrough(name);
      zip.add(f);
      for await (const chunk of body) {
        f.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array));
        if (needDrain) {
          await once(out, 'drain');
          needDrain = false;
        }
      }
      f.push(new Uint8Array(0), true);
    },
    end: () => zip.end(),
    fail: (err) => out.destroy(err instanceof Error ? err : new Error(String(err))),
  };
}
