// Web push (W3C Push API): messages encrypted for the browser (RFC 8291,
// aes128gcm) and sent to its push service (RFC 8030) with VAPID (RFC 8292),
// through the `web-push` package. The VAPID key pair is generated into
// DATA_DIR on first use and kept there, like the log's signing key.
//
// Subscription endpoints come from users, and the server POSTs to them: to
// keep that from becoming a request forgery tool, only https endpoints on the
// browsers' push services (plus origins the operator lists) are accepted.
import fs from 'node:fs';
import path from 'node:path';
import { createECDH } from 'node:crypto';
import webpush from 'web-push';

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export type PushResult = 'sent' | 'gone';

export interface PushSender {
  readonly publicKey: string;
  send(target: PushTarget, payload: string): Promise<PushResult>;
}

/** Push services of the browsers in use (Chrome/Edge via FCM, Firefox, Safari, legacy Edge/WNS). */
const PUSH_SERVICE_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com', 'notify.windows.com'];

/** Whether a subscription endpoint may be used; returns the reason when not. */
export function pushEndpointProblem(endpoint: string, extraOrigins: readonly string[]): string | null {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (extraOrigins.includes(u.origin)) return null;
  if (u.protocol !== 'https:') return 'must be an https URL';
  const host = u.hostname.toLowerCase();
  if (!PUSH_SERVICE_HOSTS.some((h) => host === h || host.endsWith(`.${h}`))) return "is not a known browser push service";
  return null;
}

export const parseOrigins = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean).map((o) => new URL(o).origin);

const VAPID_FILE = 'vapid.json';

function loadVapidKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = path.join(dataDir, VAPID_FILE);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  const keys = webpush.generateVAPIDKeys();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // wx: two processes starting at once must not each write a different key.
  try {
    fs.writeFileSync(file, JSON.stringify(keys) + '\n', { mode: 0o600, flag: 'wx' });
  } catch {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  }
  return keys;
}

/** The key pair from its private half (the setting): the public key is the curve point, uncompressed, as browsers take it. */
function vapidFromPrivate(privateKey: string): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
  return { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey };
}

/** The sender; `mailFrom` gives the VAPID contact (RFC 8292 §2.1 "sub": a mailto: URI). */
export function webPushSender(config: { dataDir: string; MAIL_FROM: string; VAPID_PRIVATE_KEY: string }): PushSender {
  let keys: { publicKey: string; privateKey: string } | undefined;
  const vapid = () => (keys ??= config.VAPID_PRIVATE_KEY ? vapidFromPrivate(config.VAPID_PRIVATE_KEY) : loadVapidKeys(config.dataDir));
  const address = /<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM.trim();
  return {
    get publicKey() {
      return vapid().publicKey;
    },
    async send(target, payload) {
      const k = vapid();
      // web-push builds the encrypted request (RFC 8291) and the VAPID header;
      // fetch sends it, so an operator-listed http origin (a local relay, tests) works too.
      const req = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
        vapidDetails: { subject: `mailto:${address}`, publicKey: k.publicKey, privateKey: k.privateKey },
        TTL: 24 * 3600,
      });
      const res = await fetch(req.endpoint, {
        method: req.method, headers: req.headers as Record<string, string>, body: req.body ? new Uint8Array(req.body) : null,
        redirect: 'error', signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      // 404/410: the browser unsubscribed (RFC 8030 §7.3); the subscription is dropped, not retried.
      if (res.status === 404 || res.status === 410) return 'gone';
      if (!res.ok) throw new Error(`push service answered ${res.status}`);
      return 'sent';
    },
  };
}
