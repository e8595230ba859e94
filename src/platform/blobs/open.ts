// Chooses the blob stores from the settings: the filesystem under DATA_DIR (the
// default, one node), or an S3-compatible bucket shared by every node
// (BLOB_URL=s3://bucket/prefix). Spool files stay on the node's own disk in
// both cases: the vault seals into them before anything is stored.
// The S3 client is loaded only when BLOB_URL asks for it: the AWS SDK costs a
// single-node server about 30 MiB of RSS it would never use.
import path from 'node:path';
import type { Config } from '../../config.ts';
import { FsBlobStore } from './fs.ts';
import type { S3BlobStore } from './s3.ts';
import { parseS3Url, type BlobArea, type BlobStore, type BlobStores } from './store.ts';

const HOUR = 3600_000;

/** Where each area lived before BLOB_URL existed; unchanged, so existing DATA_DIRs keep working. */
const FS_DIRS: Record<BlobArea, string> = { clips: '.', legal: 'legal', disclosures: 'disclosures', exports: 'exports' };

export async function openBlobStores(config: Config, now: () => number): Promise<BlobStores> {
  const dirOf = (area: BlobArea) => path.join(config.dataDir, FS_DIRS[area]);
  const cache = new Map<BlobArea, BlobStore>();
  if (!config.BLOB_URL) {
    return {
      kind: 'fs',
      open: (area) => cache.get(area) ?? cache.set(area, new FsBlobStore(dirOf(area))).get(area)!,
      sweepStale: async () => 0,
      close: async () => {},
    };
  }
  const location = parseS3Url(config.BLOB_URL);
  if (!location) throw new Error('BLOB_URL: not an s3://bucket/prefix URL'); // config.ts validated it already
  const { S3BlobStore: Store, s3Client } = await import('./s3.ts');
  const client = s3Client({
    endpoint: config.AWS_ENDPOINT_URL,
    region: config.AWS_REGION,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  });
  // 8 MiB parts, 4 in flight: 32 MiB of buffers per upload, well inside the RSS budget.
  const opts = { partSize: 8 * 1024 * 1024, queueSize: 4, staleUploadMs: 24 * HOUR, settleMs: HOUR, now };
  const s3 = new Map<BlobArea, S3BlobStore>();
  const open = (area: BlobArea): S3BlobStore =>
    s3.get(area) ?? s3.set(area, new Store(client, location, area, path.join(dirOf(area), 'tmp'), opts)).get(area)!;
  return {
    kind: 's3',
    open,
    sweepStale: async () => {
      let n = 0;
      for (const area of Object.keys(FS_DIRS) as BlobArea[]) n += await open(area).sweepStaleUploads();
      return n;
    },
    close: async () => {
      await Promise.allSettled([...s3.values()].map((s) => s.abortAll()));
      client.destroy();
    },
  };
}
