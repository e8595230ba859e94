// Two (or more) app instances on one PostgreSQL database, each with its own
// connection pool and DATA_DIR, as two `porchlight serve` nodes would be: the
// in-process half of the scale-out tests (spawned servers are in test/app/).
import { createECDH, randomBytes } from 'node:crypto';
import { openDatabase, type Db } from '../../src/platform/db/db.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { freshTarget, postgresAvailable } from './db.ts';

export interface Cluster {
  nodes: TestApp[];
  url: string;
  close(): Promise<void>;
}

export async function pgCluster(n: number, env: Record<string, string> = {}): Promise<Cluster> {
  const fresh = await freshTarget('postgres');
  const dbs: Db[] = [];
  const nodes: TestApp[] = [];
  // One after the other: the first migrates, the others find the schema in place.
  for (let i = 0; i < n; i++) {
    const db = await openDatabase(fresh.target);
    dbs.push(db);
    nodes.push(await buildTestApp(db, env));
  }
  return {
    nodes,
    url: fresh.target.kind === 'postgres' ? fresh.target.url : '',
    close: async () => {
      for (const t of nodes) await t.app.close();
      for (const db of dbs) await db.close();
      await fresh.drop();
    },
  };
}

export const PG_UP = await postgresAvailable();

/** A fresh set of the keys every PostgreSQL node must share (porchlight keys prints the same). */
export function nodeKeys(): Record<'MASTER_KEY' | 'LOG_SIGNING_KEY' | 'VAPID_PRIVATE_KEY', string> {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_SIGNING_KEY: randomBytes(32).toString('hex'),
    VAPID_PRIVATE_KEY: Buffer.concat([Buffer.alloc(32), ecdh.getPrivateKey()]).subarray(-32).toString('base64url'),
  };
}
