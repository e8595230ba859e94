// Typed, validated settings. Every setting is read from an environment variable
// and may be overridden by a CLI flag of the same name in kebab case
// (PUBLIC_URL -> --public-url). A bad value stops start-up with one line that
// names the setting and says what is wrong.
import path from 'node:path';
import { createECDH } from 'node:crypto';
import { parseS3Url } from './platform/blobs/store.ts';

export class ConfigError extends Error {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.setting = setting;
  }
}

type Parser<T> = (raw: string, name: string) => T;

const int = (min: number, max: number): Parser<number> => (raw, name) => {
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
};
const str: Parser<string> = (raw) => raw;
const bool: Parser<boolean> = (raw, name) => {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};
const oneOf = <T extends string>(...values: T[]): Parser<T> => (raw, name) => {
  if (!(values as string[]).includes(raw)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
  return raw as T;
};
const url = (protocols: string[]): Parser<string> => (raw, name) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(u.protocol)) throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${u.protocol}"`);
  return raw.replace(/\/$/, '');
};
const hexKey: Parser<string> = (raw, name) => {
  if (!/^[0-9a-f]{64}$/i.test(raw)) throw new ConfigError(name, 'must be 64 hexadecimal characters (32 bytes)');
  return raw.toLowerCase();
};

const s3Url: Parser<string> = (raw, name) => {
  if (!parseS3Url(raw)) throw new ConfigError(name, `must be s3://bucket or s3://bucket/prefix (a valid bucket name, a prefix of safe segments), got "${raw}"`);
  return raw.replace(/\/+$/, '');
};

/** A P-256 private key as web-push writes it (base64url of 32 bytes, RFC 8292 §3.2), checked to lie on the curve. */
const vapidKey: Parser<string> = (raw, name) => {
  try {
    if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) throw new Error();
    createECDH('prime256v1').setPrivateKey(Buffer.from(raw, 'base64url'));
  } catch {
    throw new ConfigError(name, 'must be a P-256 private key in base64url (43 characters), as `npx web-push generate-vapid-keys` prints');
  }
  return raw;
};

const portOrOff: Parser<number | null> = (raw, name) => (raw === 'off' ? null : int(0, 65535)(raw, name));
const perMinuteOrOff: Parser<number | null> = (raw, name) => (raw === 'off' ? null : int(1, 1_000_000_000)(raw, name));

/** The settings table: documented in the README, one row per setting. */
export const SETTINGS = {
  PORT: { parse: int(0, 65535), default: '8080', doc: 'port to listen on' },
  HOST: { parse: str, default: '127.0.0.1', doc: 'address to listen on' },
  METRICS_PORT: { parse: portOrOff, default: 'off', doc: 'port of the Prometheus /metrics listener, apart from the public one (per-route counts can reveal sealed cases); off serves no metrics' },
  METRICS_HOST: { parse: str, default: '127.0.0.1', doc: 'address of the /metrics listener' },
  DATA_DIR: { parse: str, default: './data', doc: 'where data is kept (SQLite file, clips, keys)' },
  DATABASE_URL: { parse: url(['postgres:', 'postgresql:', 'sqlite:']), default: '', doc: 'a postgres:// URL selects PostgreSQL; default is a SQLite file in DATA_DIR' },
  PUBLIC_URL: { parse: url(['http:', 'https:']), default: '', doc: "the instance's public address; https makes cookies Secure" },
  LOG_LEVEL: { parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), default: 'info', doc: 'how much to log' },
  MASTER_KEY: { parse: hexKey, default: '', doc: 'instance master key wrapping clip data keys (hex); generated into DATA_DIR when unset' },
  LOG_ORIGIN: { parse: str, default: '', doc: 'origin line of the disclosure log checkpoints; default is the PUBLIC_URL host plus /log' },
  LOG_SIGNING_KEY: { parse: hexKey, default: '', doc: "the disclosure log's Ed25519 seed (hex); generated into DATA_DIR when unset" },
  LOG_WITNESSES: { parse: str, default: '', doc: 'C2SP tlog-witness witnesses that cosign each checkpoint: comma-separated "URL VKEY" pairs (the witness\'s submission prefix and its cosigner vkey); none by default' },
  VAPID_PRIVATE_KEY: { parse: vapidKey, default: '', doc: 'the web push VAPID private key (base64url; the public key is derived from it); generated into DATA_DIR when unset' },
  LOG_BATCH_SIZE: { parse: int(1, 65536), default: '256', doc: 'most entries the log integrator takes in one batch' },
  LOG_BATCH_MS: { parse: int(10, 60000), default: '1000', doc: 'how often the log integrator runs, in milliseconds' },
  BLOB_URL: { parse: s3Url, default: '', doc: 'where clips, documents and copies are kept: unset, under DATA_DIR; s3://bucket/prefix, in an S3-compatible bucket shared by every node (ciphertext only)' },
  AWS_ENDPOINT_URL: { parse: url(['http:', 'https:']), default: '', doc: 'with BLOB_URL: the S3 endpoint of a store other than Amazon S3 (then path-style addressing)' },
  AWS_REGION: { parse: str, default: '', doc: 'with BLOB_URL: the bucket\'s region (required with BLOB_URL)' },
  AWS_ACCESS_KEY_ID: { parse: str, default: '', doc: "with BLOB_URL: access key; unset, the AWS SDK's default chain (profile, instance role)" },
  AWS_SECRET_ACCESS_KEY: { parse: str, default: '', doc: 'with BLOB_URL: secret key, with AWS_ACCESS_KEY_ID' },
  RATE_LIMIT_PER_MINUTE: { parse: perMinuteOrOff, default: '3000', doc: 'requests a minute per account, per camera device, or per address when signed out, shared by every node; above it 429 with Retry-After; off for none' },
  REDIS_URL: { parse: url(['redis:', 'rediss:']), default: '', doc: 'optional: keeps the shared rate-limit counters in Redis; unset, in PostgreSQL (or in memory on SQLite, one node)' },
  MAX_UPLOAD_BYTES: { parse: int(1, 64 * 1024 ** 3), default: String(200 * 1024 * 1024), doc: 'hard limit on one clip upload, in bytes' },
  FFMPEG_PATH: { parse: str, default: 'ffmpeg', doc: 'ffmpeg binary (ffprobe is looked up beside it); features that need it are off when it is missing' },
  SMTP_URL: { parse: url(['smtp:', 'smtps:']), default: '', doc: 'SMTP server for e-mail; unset, e-mails go to the log (dev mode)' },
  MAIL_FROM: { parse: str, default: 'Porchlight <no-reply@porchlight.invalid>', doc: 'sender address of e-mails' },
  WEB_PUSH_ORIGINS: { parse: str, default: '', doc: 'extra origins (comma-separated) that web push subscriptions may point at, besides the browsers\' push services' },
  REQUESTS_PER_DAY: { parse: int(1, 1000), default: '5', doc: 'community requests one agency may create per day' },
  ALLOW_IMMIGRATION_ENFORCEMENT: { parse: bool, default: 'false', doc: 'policy.allowImmigrationEnforcement: whether immigration-enforcement agencies may be created' },
  MAP_TILE_URL: { parse: str, default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', doc: 'map tile URL template for the web app; empty for no base map' },
  MAP_TILE_ATTRIBUTION: { parse: str, default: '© OpenStreetMap contributors', doc: 'attribution shown with the map tiles (plain text)' },
  DEMO: { parse: bool, default: 'true', doc: 'seed a demo neighbourhood on first start with an empty database (npm start)' },
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type Parsed = { [K in SettingName]: ReturnType<Settings[K]['parse']> };

export interface Config extends Parsed {
  /** Resolved database target. */
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  /** Absolute data directory. */
  dataDir: string;
  /** True when cookies must be Secure. */
  secureCookies: boolean;
  /** Origin line of the log's checkpoints (C2SP tlog-checkpoint). */
  logOrigin: string;
}

/**
 * The keys every node must share, missing from the settings. With PostgreSQL
 * (many nodes), keys generated into one node's DATA_DIR would differ from the
 * next node's: clips wrapped on one would not open on another, checkpoints
 * would be signed by two keys, and browsers' push subscriptions would belong
 * to one node. So they must be given, and a node refuses to start without
 * them. The master key is never kept in the database it protects.
 */
export function missingNodeKeys(config: Config): SettingName[] {
  if (config.database.kind !== 'postgres') return [];
  return (['MASTER_KEY', 'LOG_SIGNING_KEY', 'VAPID_PRIVATE_KEY'] as const).filter((k) => !config[k]);
}

/** Throws one ConfigError naming every missing key (serve, and anything that wires the app on PostgreSQL). */
export function requireNodeKeys(config: Config): void {
  const missing = missingNodeKeys(config);
  if (missing.length === 0) return;
  throw new ConfigError(missing[0]!, `${missing.join(', ')} must be set with a PostgreSQL DATABASE_URL: every node needs the same keys, and none may come from one node's DATA_DIR (generate them with \`porchlight keys\`)`);
}

export const flagName = (name: string) => name.toLowerCase().replace(/_/g, '-');

/** Reads settings from env, with flag overrides (already parsed by the CLI). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Record<string, string | undefined> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(SETTINGS) as [SettingName, Settings[SettingName]][]) {
    const raw = flags[flagName(name)] ?? env[name] ?? def.default;
    out[name] = raw === '' && def.default === '' ? '' : def.parse(raw, name);
  }
  const parsed = out as Parsed;
  const dataDir = path.resolve(parsed.DATA_DIR);
  const dbUrl = parsed.DATABASE_URL;
  const database: Config['database'] = dbUrl.startsWith('postgres')
    ? { kind: 'postgres', url: dbUrl }
    : { kind: 'sqlite', file: dbUrl.startsWith('sqlite:') ? path.resolve(dbUrl.slice('sqlite:'.length).replace(/^\/\//, '')) : path.join(dataDir, 'porchlight.db') };
  if (parsed.BLOB_URL && !parsed.AWS_REGION) throw new ConfigError('AWS_REGION', 'must be set with BLOB_URL (the bucket\'s region, e.g. us-east-1)');
  if (Boolean(parsed.AWS_ACCESS_KEY_ID) !== Boolean(parsed.AWS_SECRET_ACCESS_KEY)) {
    throw new ConfigError(parsed.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together');
  }
  const publicHost = parsed.PUBLIC_URL ? new URL(parsed.PUBLIC_URL).host : `localhost:${parsed.PORT}`;
  return {
    ...parsed,
    database,
    dataDir,
    secureCookies: parsed.PUBLIC_URL.startsWith('https:'),
    logOrigin: parsed.LOG_ORIGIN || `${publicHost}/log`,
  };
}
