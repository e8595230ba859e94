// The Frigate bridge's settings: one JSON file, checked field by field so that a
// mistake stops the bridge at start with one line naming the field. The README
// ("Frigate bridge") documents each setting. Relative paths are taken from the
// config file's own directory, so the bridge behaves the same from any cwd.
import fs from 'node:fs';
import path from 'node:path';
import { AgentError } from './agent-state.ts';
import { CLIP_KINDS, type ClipKind } from './agent-clip.ts';
import { PRIVATE_LABELS, type ForwardRules } from './frigate-payload.ts';

export interface CameraRoute {
  /** The camera agent's state directory (`porchlight camera enroll --state DIR`): device key and token. */
  agentState: string;
  kind: ClipKind;
}

export interface BridgeConfig {
  mqtt: { url: string; topicPrefix: string; clientId: string; username: string | null; password: string | null };
  frigateUrl: string;
  routes: ReadonlyMap<string, CameraRoute>;
  rules: ForwardRules;
  stateFile: string;
  maxClipBytes: number;
  queueLimit: number;
  maxClipAttempts: number;
  retry: { baseMs: number; maxMs: number };
  catchUpHours: number;
  connectTimeoutMs: number;
}

const bad = (field: string, what: string) => new AgentError(`bridge config: "${field}" ${what}`, 2);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function url(v: unknown, field: string, protocols: string[]): string {
  if (typeof v !== 'string') throw bad(field, 'is required (a URL)');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw bad(field, `is not a URL: "${v}"`);
  }
  if (!protocols.includes(u.protocol)) throw bad(field, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return v.replace(/\/+$/, '');
}

function int(v: unknown, field: string, min: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(field, `must be a whole number ≥ ${min}`);
  return v;
}

function names(v: unknown, field: string, required: boolean): string[] {
  if (v === undefined && !required) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) throw bad(field, 'must be a list of names');
  return v as string[];
}

/** Checks a parsed config file; `dir` is the file's directory, for relative paths. */
export function parseBridgeConfig(raw: unknown, dir: string): BridgeConfig {
  if (!isObject(raw)) throw new AgentError('bridge config: the file must hold a JSON object', 2);
  const known = ['mqtt', 'frigate', 'cameras', 'ignoreCameras', 'labels', 'minScore', 'stateFile', 'maxClipBytes', 'queueLimit', 'maxClipAttempts', 'retry', 'catchUpHours', 'connectTimeoutMs'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) throw bad(unknown[0], `is not a setting (settings: ${known.join(', ')})`);

  const m = raw.mqtt;
  if (!isObject(m)) throw bad('mqtt', 'is required: { "url": "mqtt://host:1883", ... }');
  const prefix = m.topicPrefix ?? 'frigate';
  if (typeof prefix !== 'string' || !/^[^#+\s]+$/.test(prefix)) throw bad('mqtt.topicPrefix', 'must be a topic without wildcards or spaces');
  const clientId = m.clientId ?? 'porchlight-frigate-bridge';
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) throw bad('mqtt.clientId', 'must be 1 to 64 letters, digits, "_" or "-"');
  if (m.username !== undefined && typeof m.username !== 'string') throw bad('mqtt.username', 'must be a string');
  let password: string | null = null;
  if (m.passwordFile !== undefined) {
    if (typeof m.passwordFile !== 'string') throw bad('mqtt.passwordFile', 'must be a file name');
    try {
      password = fs.readFileSync(path.resolve(dir, m.passwordFile), 'utf8').trim();
    } catch (err) {
      throw bad('mqtt.passwordFile', `cannot be read: ${(err as Error).message}`);
    }
  }
  const frigate = raw.frigate;
  if (!isObject(frigate)) throw bad('frigate', 'is required: { "url": "http://frigate:5000" }');

  const cams = raw.cameras;
  if (!isObject(cams) || Object.keys(cams).length === 0) throw bad('cameras', 'is required: { "<frigate camera>": { "agentState": "DIR" } }');
  const routes = new Map<string, CameraRoute>();
  for (const [name, c] of Object.entries(cams)) {
    const f = `cameras.${name}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw bad(f, 'is not a Frigate camera name');
    if (!isObject(c) || typeof c.agentState !== 'string') throw bad(`${f}.agentState`, 'is required: the state directory of "porchlight camera enroll"');
    const kind = c.kind ?? 'motion';
    if (!(CLIP_KINDS as readonly unknown[]).includes(kind)) throw bad(`${f}.kind`, `must be one of ${CLIP_KINDS.join(', ')}`);
    routes.set(name, { agentState: path.resolve(dir, c.agentState), kind: kind as ClipKind });
  }
  const ignored = names(raw.ignoreCameras, 'ignoreCameras', false);
  const both = ignored.find((n) => routes.has(n));
  if (both) throw bad('ignoreCameras', `names "${both}", which is also in "cameras"`);

  const labels = names(raw.labels, 'labels', true);
  if (labels.length === 0) throw bad('labels', 'must name at least one label (e.g. ["person", "car"])');
  const privateOne = labels.find((l) => PRIVATE_LABELS.includes(l));
  if (privateOne) throw bad('labels', `may not hold "${privateOne}": face and license_plate data are never forwarded`);
  if (typeof raw.minScore !== 'number' || !(raw.minScore >= 0 && raw.minScore <= 1)) throw bad('minScore', 'is required: a number from 0 to 1');
  if (typeof raw.stateFile !== 'string' || !raw.stateFile) throw bad('stateFile', 'is required: where the bridge records what it uploaded');

  const retry = raw.retry ?? {};
  if (!isObject(retry)) throw bad('retry', 'must be { "baseMs": N, "maxMs": N }');
  const baseMs = int(retry.baseMs, 'retry.baseMs', 1, 1000);
  const maxMs = int(retry.maxMs, 'retry.maxMs', baseMs, 5 * 60_000);
  return {
    mqtt: { url: url(m.url, 'mqtt.url', ['mqtt:', 'mqtts:', 'ws:', 'wss:']), topicPrefix: prefix, clientId, username: (m.username as string | undefined) ?? null, password },
    frigateUrl: url(frigate.url, 'frigate.url', ['http:', 'https:']),
    routes,
    rules: { cameras: new Set(routes.keys()), ignoredCameras: new Set(ignored), labels: new Set(labels), minScore: raw.minScore },
    stateFile: path.resolve(dir, raw.stateFile),
    maxClipBytes: int(raw.maxClipBytes, 'maxClipBytes', 1, 200 * 1024 * 1024),
    queueLimit: int(raw.queueLimit, 'queueLimit', 1, 1000),
    maxClipAttempts: int(raw.maxClipAttempts, 'maxClipAttempts', 1, 20),
    retry: { baseMs, maxMs },
    catchUpHours: int(raw.catchUpHours, 'catchUpHours', 0, 24),
    connectTimeoutMs: int(raw.connectTimeoutMs, 'connectTimeoutMs', 1, 10_000),
  };
}

export function loadBridgeConfig(file: string): BridgeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentError(`cannot read the bridge config: ${(err as Error).message}`, 2);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentError(`bridge config ${path.basename(file)} is not JSON: ${(err as Error).message}`, 2);
  }
  return parseBridgeConfig(raw, path.dirname(path.resolve(file)));
}
