// Web push for this browser (W3C Push API, RFC 8030; VAPID, RFC 8292): a
// service worker (/sw.js) shows what the server sends; the subscription is
// registered with the server, and its id kept here so it can be removed again.
import { api, unwrap } from '../api/client';

const KEY = 'porchlight.push-subscription';

export const pushSupported = () => typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof window !== 'undefined' && 'PushManager' in window;

function keyBytes(b64url: string): Uint8Array<ArrayBuffer> {
  const b64 = b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

export async function pushOn(): Promise<boolean> {
  if (!pushSupported() || !localStorage.getItem(KEY)) return false;
  const reg = await navigator.serviceWorker.getRegistration('/');
  return Boolean(await reg?.pushManager.getSubscription());
}

export async function enablePush(): Promise<void> {
  if (!pushSupported()) throw new Error('This browser cannot receive web push.');
  if ((await Notification.requestPermission()) !== 'granted') throw new Error('Notifications are blocked for this site in the browser settings.');
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const { publicKey } = await unwrap(api.GET('/api/v1/push/vapid-key'));
  const sub = (await reg.pushManager.getSubscription()) ?? (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  const { id } = await unwrap(api.POST('/api/v1/me/push-subscriptions', { body: { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } } }));
  localStorage.setItem(KEY, id);
}

export async function disablePush(): Promise<void> {
  const id = localStorage.getItem(KEY);
  localStorage.removeItem(KEY);
  const reg = pushSupported() ? await navigator.serviceWorker.getRegistration('/') : undefined;
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
  if (id) await unwrap(api.DELETE('/api/v1/me/push-subscriptions/{id}', { params: { path: { id } } })).catch(() => undefined);
}
