// A real S3-compatible server for tests: s3rver on a free loopback port, with
// its own directory and one bucket, started by the test file itself. Its
// default credentials are S3RVER/S3RVER and it checks request signatures.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Config } from '../../src/config.ts';
import { s3Client } from '../../src/platform/blobs/s3.ts';
import { parseS3Url } from '../../src/platform/blobs/store.ts';
import { tempDir } from './db.ts';

export interface TestS3 {
  bucket: string;
  endpoint: string;
  /** Settings that point the app's blob stores at this server. */
  env(prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'porchlight-test'): Promise<TestS3> {
  const directory = tempDir('porchlight-s3rver-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const addr = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${addr.port}`;
  return {
    bucket,
    endpoint,
    env: (prefix = `t${process.pid}-${Math.random().toString(36).slice(2, 8)}`) => ({
      BLOB_URL: `s3://${bucket}/${prefix}`,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    stop: async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

const clientFor = (config: Config) =>
  s3Client({ endpoint: config.AWS_ENDPOINT_URL, region: config.AWS_REGION, accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY });

/**
 * Every key of one area's store, however young (the store's own list() omits
 * recent ones), written "s3:/<key>" so that tests written for files can match
 * on "/clips/" as they do for DATA_DIR paths.
 */
export async function bucketKeys(config: Config, area: string): Promise<string[]> {
  const loc = parseS3Url(config.BLOB_URL)!;
  const root = `${loc.prefix ? loc.prefix + '/' : ''}${area}/`;
  const client = clientFor(config);
  const keys: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: root, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push(`s3:/${o.Key!.slice(root.length)}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    client.destroy();
  }
  return keys.sort();
}

/** The stored bytes of a key from bucketKeys. */
export async function bucketObject(config: Config, area: string, listed: string): Promise<Buffer> {
  const loc = parseS3Url(config.BLOB_URL)!;
  const client = clientFor(config);
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: `${loc.prefix ? loc.prefix + '/' : ''}${area}/${listed.slice('s3:/'.length)}` }));
    return Buffer.from(await res.Body!.transformToByteArray());
  } finally {
    client.destroy();
  }
}
