// Display helpers: dates, ages and sizes in words people read at a glance.
const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatTime = (iso: string | number | Date) => dtf.format(new Date(iso));

/** "4 min", "3 h", "2 days": how long ago, for queue ages and checkpoint ages. */
export function age(from: string | number | Date, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(from).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const min = Math.round(ms / 60000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}

/** A value for <input type="datetime-local"> in the browser's time zone. */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "#1a2b3c": a long hex id as a short reference people can read out and compare. */
export const shortRef = (id: string) => `#${id.slice(0, 6)}`;

/** Every 32-hex-digit id in a text, shortened (the full id stays in the API and the log). */
export const shortenIds = (text: string) => text.replace(/\b[0-9a-f]{32}\b/g, (id) => shortRef(id));

const BASIS_LABEL: Record<string, string> = {
  consent: 'You shared it, for request',
  warrant: 'Released under search warrant',
  emergency: 'Released in an emergency approved by two reviewers, request',
  public_post: 'You posted it publicly, post',
};

/** An access log's "<basis> <ref>" as a sentence: "You shared it, for request #1a2b3c". */
export function accessPurpose(purpose: string): string {
  const [kind, ref] = purpose.split(' ');
  const label = BASIS_LABEL[kind];
  if (label && ref) return `${label} ${shortRef(ref)}`;
  return shortenIds(purpose.replace(/_/g, ' '));
}
