// The camera agent's side of the end-to-end envelope (envelope.ts): a fresh
// content key and envelope id per clip, and the STREAM sealer of format.ts run
// over the envelope's own header, as a Transform for streaming uploads.
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Context } from './format.ts';
import { Sealer } from './streams.ts';
import { buildEnvelopeHeader, EnvelopeError } from './envelope.ts';

export interface NewEnvelope {
  contentKey: Buffer;
  header: Buffer;
  /** Plaintext in, envelope bytes out (header first); fails if the plaintext is not plainSize bytes. */
  stream: Transform;
}

export function newEnvelope(plainSize: number): NewEnvelope {
  const contentKey = randomBytes(32);
  const envelopeId = randomBytes(16);
  const header = Buffer.from(buildEnvelopeHeader(plainSize, envelopeId));
  const sealer = new Sealer(contentKey, new Context(envelopeId, header, header));
  let seen = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (seen > plainSize) return cb(new EnvelopeError(`the clip grew past ${plainSize} bytes while it was being sealed`));
      for (const b of sealer.push(chunk)) this.push(b);
      cb();
    },
    flush(cb: TransformCallback) {
      if (seen !== plainSize) return cb(new EnvelopeError(`the clip is ${seen} bytes, not the ${plainSize} its header says`));
      for (const b of sealer.end()) this.push(b);
      cb();
    },
  });
  return { contentKey, header, stream };
}
