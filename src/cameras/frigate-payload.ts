// What the Frigate bridge reads from Frigate, parsed defensively and reduced to
// the few fields it needs. Pure: no I/O.
//
// Sources (Frigate's documentation, docs/docs/integrations/mqtt.md and the HTTP
// API reference at docs.frigate.video/integrations/api):
// - `frigate/events`: { type: new|update|end, before: {...}, after: {...} },
//   each side a tracked object with id, camera, label, sub_label, top_score,
//   score, false_positive, start_time, end_time (null until it ends), has_clip.
// - `frigate/reviews` (Frigate 0.14+): { type, before, after }, each side a
//   review item with id, camera, start_time, end_time, severity and
//   data.detections, the ids of the tracked objects in it.
// - `GET /api/events/<id>`: the tracked object as stored; its scores sit in
//   `data` (data.top_score, data.score) since Frigate 0.13, at the top before.
//
// The payloads are attacker-controlled (anyone who can publish to the broker),
// so every field is checked for type and shape before it is used. The parsed
// event carries no sub_label, attributes or recognised plate: those can hold a
// person's name (face recognition) or a number plate, and the bridge keeps no
// biometric or plate data, so they are never copied out of the payload.

/** Tracked-object labels that are themselves biometric or plate data: never forwarded, whatever the settings say. */
export const PRIVATE_LABELS: readonly string[] = ['face', 'license_plate'];

export interface FrigateEvent {
  id: string;
  camera: string;
  label: string;
  /** The best score the object reached (top_score), 0..1. */
  topScore: number;
  startMs: number;
  /** Null while the object is still tracked. */
  endMs: number | null;
  hasClip: boolean;
  falsePositive: boolean;
}

export interface FrigateReview {
  type: 'new' | 'update' | 'end';
  id: string;
  camera: string;
  ended: boolean;
  /** Ids of the tracked objects the review item groups. */
  detections: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
const MESSAGE_TYPES = ['new', 'update', 'end'] as const;
// Frigate's ids are "<start time>-<random>" (e.g. 1607123955.475377-mxklsc); they go
// into an HTTP path, so only these characters are let through.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;
// Frigate camera names are letters, digits, "_" and "-".
const CAMERA = /^[A-Za-z0-9_-]{1,64}$/;
const LABEL = /^[A-Za-z0-9_ -]{1,64}$/;
const MAX_PAYLOAD = 256 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScore = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
// Epoch seconds with a fraction, from after 2000 and before 2100.
const isEpochSeconds = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 946_684_800 && v < 4_102_444_800;

function parseJson(payload: Buffer | string): Parsed<Record<string, unknown>> {
  if (payload.length > MAX_PAYLOAD) return fail(`payload of ${payload.length} bytes is over ${MAX_PAYLOAD}`);
  let v: unknown;
  try {
    v = JSON.parse(payload.toString());
  } catch {
    return fail('payload is not JSON');
  }
  return isObject(v) ? { ok: true, value: v } : fail('payload is not a JSON object');
}

/** A tracked object, from an MQTT `after` side or an API answer; `scores` is where its scores live. */
function trackedObject(o: Record<string, unknown>, scores: Record<string, unknown>, where: string): Parsed<FrigateEvent> {
  if (typeof o.id !== 'string' || !ID.test(o.id)) return fail(`${where}.id is missing or not a Frigate event id`);
  if (typeof o.camera !== 'string' || !CAMERA.test(o.camera)) return fail(`${where}.camera is missing or not a Frigate camera name`);
  if (typeof o.label !== 'string' || !LABEL.test(o.label)) return fail(`${where}.label is missing or malformed`);
  const topScore = scores.top_score ?? scores.score;
  if (!isScore(topScore)) return fail(`${where}.top_score is missing or not a number from 0 to 1`);
  if (!isEpochSeconds(o.start_time)) return fail(`${where}.start_time is missing or not epoch seconds`);
  if (o.end_time !== null && o.end_time !== undefined && !isEpochSeconds(o.end_time)) return fail(`${where}.end_time is not epoch seconds or null`);
  if (typeof o.end_time === 'number' && o.end_time < o.start_time) return fail(`${where}.end_time is before start_time`);
  if (o.has_clip !== undefined && typeof o.has_clip !== 'boolean') return fail(`${where}.has_clip is not a boolean`);
  if (o.false_positive !== undefined && o.false_positive !== null && typeof o.false_positive !== 'boolean') return fail(`${where}.false_positive is not a boolean`);
  return {
    ok: true,
    value: {
      id: o.id, camera: o.camera, label: o.label, topScore,
      startMs: Math.round(o.start_time * 1000),
      endMs: typeof o.end_time === 'number' ? Math.round(o.end_time * 1000) : null,
      hasClip: o.has_clip === true,
      falsePositive: o.false_positive === true,
    },
  };
}

/** A `frigate/events` message: its type and the object's state after the change. */
export function parseEventMessage(payload: Buffer | string): Parsed<{ type: FrigateReview['type']; event: FrigateEvent }> {
  const json = parseJson(payload);
  if (!json.ok) return json;
  const { type, after } = json.value;
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(type)) return fail('type is not one of new, update, end');
  if (!isObject(after)) return fail('after is missing');
  const event = trackedObject(after, after, 'after');
  return event.ok ? { ok: true, value: { type: type as FrigateReview['type'], event: event.value } } : event;
}

/** A `frigate/reviews` message (Frigate 0.14+). */
export function parseReviewMessage(payload: Buffer | string): Parsed<FrigateReview> {
  const json = parseJson(payload);
  if (!json.ok) return json;
  const { type, after } = json.value;
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(type)) return fail('type is not one of new, update, end');
  if (!isObject(after)) return fail('after is missing');
  if (typeof after.id !== 'string' || !ID.test(after.id)) return fail('after.id is missing or not a Frigate review id');
  if (typeof after.camera !== 'string' || !CAMERA.test(after.camera)) return fail('after.camera is missing or not a Frigate camera name');
  const detections = isObject(after.data) ? after.data.detections : undefined;
  if (!Array.isArray(detections) || detections.length > 1000 || !detections.every((d) => typeof d === 'string' && ID.test(d))) {
    return fail('after.data.detections is not a list of Frigate event ids');
  }
  const ended = type === 'end' || isEpochSeconds(after.end_time);
  return { ok: true, value: { type: type as FrigateReview['type'], id: after.id, camera: after.camera, ended, detections: [...new Set(detections as string[])] } };
}

/** One event from `GET /api/events/<id>` or an item of `GET /api/events`. */
export function parseApiEvent(v: unknown): Parsed<FrigateEvent> {
  if (!isObject(v)) return fail('the event is not a JSON object');
  return trackedObject(v, isObject(v.data) && isScore(v.data.top_score ?? v.data.score) ? v.data : v, 'event');
}

export interface ForwardRules {
  /** Frigate camera names that are forwarded. */
  cameras: ReadonlySet<string>;
  /** Frigate cameras deliberately not forwarded: skipped without an error. */
  ignoredCameras: ReadonlySet<string>;
  labels: ReadonlySet<string>;
  minScore: number;
}

export type Decision =
  | { action: 'forward' }
  /** Not for Porchlight by the settings (or not finished yet): nothing to report. */
  | { action: 'skip'; reason: string }
  /** Input the settings cannot place: reported as an error, nothing stored. */
  | { action: 'refuse'; reason: string };

/** Whether a tracked object's clip goes to Porchlight. */
export function decide(e: FrigateEvent, rules: ForwardRules): Decision {
  if (e.endMs === null) return { action: 'skip', reason: 'still in progress' };
  if (!e.hasClip) return { action: 'skip', reason: 'Frigate kept no clip' };
  if (e.falsePositive) return { action: 'skip', reason: 'a false positive' };
  if (rules.ignoredCameras.has(e.camera)) return { action: 'skip', reason: `camera "${e.camera}" is ignored` };
  if (!rules.cameras.has(e.camera)) return { action: 'refuse', reason: `unknown camera "${e.camera}": it is in neither "cameras" nor "ignoreCameras" of the bridge config` };
  if (PRIVATE_LABELS.includes(e.label)) return { action: 'skip', reason: `label "${e.label}" is never forwarded (no biometric or plate data)` };
  if (!rules.labels.has(e.label)) return { action: 'skip', reason: `label "${e.label}" is not in "labels"` };
  if (e.topScore < rules.minScore) return { action: 'skip', reason: `score ${e.topScore.toFixed(2)} is under minScore ${rules.minScore}` };
  return { action: 'forward' };
}
