// What every capability is handed when the app is built: settings, the
// database, the clock, the logger and the blob stores. Capabilities add nothing global here.
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Clock } from './clock.ts';
import type { Db } from './db/db.ts';
import type { Workers } from './workers.ts';
import type { BlobStores } from './blobs/store.ts';

export interface AppContext {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly log: FastifyBaseLogger;
  /** The instance master key (platform/master-key.ts), loaded once: it wraps clip keys and seals secrets. */
  readonly masterKey: Buffer;
  /** Background jobs; capabilities add theirs when the app is built. */
  readonly workers: Workers;
  /** Where sealed objects are kept: DATA_DIR, or a bucket every node shares (BLOB_URL). */
  readonly blobs: BlobStores;
}
