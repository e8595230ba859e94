// The camera agent: `porchlight camera enroll | upload | watch | status`.
// It runs on the camera (or a bridge beside it): it holds the device's Ed25519
// key and token in a state directory and uploads clips signed with that key.
import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLIP_KINDS, clipTimes, type ClipKind } from './agent-clip.ts';
import { AgentError, DEFAULT_STATE_DIR, hasState, loadState, saveEnrolment, saveState, type AgentState } from './agent-state.ts';
import { describeFailure, isRetryable, NetworkError, renderProgress, backoffMs, sleep, uploadClip, type UploadTarget } from './agent-upload.ts';
import { SealRefused } from './agent-e2ee.ts';
import { watchDirectory } from './agent-watch.ts';
import { progressBar } from '../platform/progress.ts';
import { canonicalTime, exportDevicePublicKey } from './signature.ts';

export interface AgentIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Where the progress bar is drawn (stderr when it is a terminal); null draws none. */
  tty: { write(s: string): unknown } | null;
  signal?: AbortSignal;
}

const defaultIo = (): AgentIo => ({
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  tty: process.stderr.isTTY ? process.stderr : null,
});

const USAGE: Record<string, string> = {
  enroll: `porchlight camera enroll --server URL --code CODE [--state DIR] [--force]

Creates this device's Ed25519 key pair, exchanges the one-time enrolment code
(made by the camera's owner in the app) for a device token, and stores key,
token and server in the state directory (default ${DEFAULT_STATE_DIR}, files mode 0600).
  --force   replace an existing enrolment in the state directory`,
  upload: `porchlight camera upload FILE --started ISO --ended ISO --kind KIND [--state DIR] [--retries N]

Signs and uploads one MP4 clip. KIND is one of ${CLIP_KINDS.join(', ')}.
Without --started/--ended the times come from FILE.json, the MP4 header or the
file's modification time. Retries (default 3) reuse one Idempotency-Key, so a
retry never stores the clip twice. Shows a progress bar on a terminal.`,
  watch: `porchlight camera watch DIR [--state DIR] [--kind KIND] [--interval MS] [--delete] [--once] [--max-attempts N]

Uploads each new .mp4 in DIR once its size stops changing. Retries with
exponential backoff; a journal in the state directory lets a restart resume
without duplicates. Names starting with "." are ignored, so a recorder can
write ".clip.mp4" (and its sidecar "clip.json" with startedAt, endedAt and
kind) and then rename it to "clip.mp4" when complete.
  --kind KIND        event kind when FILE.json does not say (default motion)
  --interval MS      how often to scan DIR (default 2000)
  --delete           delete a local file after the server acknowledged it
  --once             handle the files present, then exit
  --max-attempts N   attempts per file before leaving it for a later run
  --backoff-ms MS    first retry delay (default 1000; doubles per attempt, up to 5 minutes)`,
  'rotate-token': `porchlight camera rotate-token [--state DIR]

Replaces this device's token with a new one and stores it; the old token stops
working at once. Should the agent stop between the server's answer and the
write, enrol again with a new code.`,
  status: `porchlight camera status [--state DIR]

Shows the enrolment in the state directory and checks the token with the server.`,
};

function usage(io: AgentIo, cmd?: string): number {
  if (cmd && USAGE[cmd]) io.out(USAGE[cmd]);
  else {
    io.out(`porchlight camera <command>

Commands:
  enroll         exchange an enrolment code for a device token
  upload         sign and upload one clip
  watch          upload new clips from a directory
  status         show and check the enrolment
  rotate-token   replace this device's token

Run "porchlight camera <command> --help" for details.`);
  }
  return 0;
}

function parseServer(raw: string | undefined): string {
  if (!raw) throw new AgentError('--server is required', 2);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AgentError(`--server must be a URL, got "${raw}"`, 2);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new AgentError('--server must be http:// or https://', 2);
  return u.origin;
}

function parseKind(raw: string | undefined, fallback?: ClipKind): ClipKind {
  const k = raw ?? fallback;
  if (!k || !(CLIP_KINDS as readonly string[]).includes(k)) throw new AgentError(`--kind must be one of ${CLIP_KINDS.join(', ')}`, 2);
  return k as ClipKind;
}

function parseCount(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new AgentError(`--${name} must be a whole number`, 2);
  return Number(raw);
}

function previousCamera(dir: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { cameraId?: string }).cameraId ?? null;
  } catch {
    return null;
  }
}

async function enroll(argv: string[], io: AgentIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { server: { type: 'string' }, code: { type: 'string' }, state: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return usage(io, 'enroll');
  const server = parseServer(values.server);
  if (!values.code) throw new AgentError('--code is required', 2);
  const dir = values.state ?? DEFAULT_STATE_DIR;
  if (hasState(dir) && !values.force) throw new AgentError(`${dir} already holds an enrolment; pass --force to replace it`, 2);
  if (new URL(server).protocol === 'http:' && !/^(localhost|127\.|\[::1\])/.test(new URL(server).hostname)) {
    io.err('warning: the server address is plain http; the device token will cross the network unencrypted');
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = exportDevicePublicKey(publicKey);
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/devices/enroll', server), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: values.code, publicKey: pub }),
      signal: io.signal,
    });
  } catch (err) {
    throw new AgentError(`cannot reach ${server}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { cameraId?: string; token?: string; detail?: string } | null;
  if (res.status !== 201 || !body?.cameraId || !body.token) throw new AgentError(`enrolment refused (${res.status}): ${body?.detail ?? res.statusText}`);
  const state: AgentState = { version: 1, server, cameraId: body.cameraId, token: body.token, publicKey: pub, enrolledAt: new Date().toISOString() };
  // The journal records uploads for one camera; enrolled as another, start afresh.
  if (previousCamera(dir) !== body.cameraId) fs.rmSync(path.join(dir, 'journal.jsonl'), { force: true });
  saveEnrolment(dir, state, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  io.out(`enrolled as camera ${body.cameraId}; key and token stored in ${dir}`);
  return 0;
}

/** Where uploads go, and the ffmpeg that burns privacy zones in for end-to-end cameras (FFMPEG_PATH, as for the server). */
function targetOf(state: { server: string; cameraId: string; token: string }, key: KeyObject): UploadTarget {
  return { server: state.server, cameraId: state.cameraId, token: state.token, key, ffmpegPath: process.env.FFMPEG_PATH ?? 'ffmpeg' };
}

async function upload(argv: string[], io: AgentIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { started: { type: 'string' }, ended: { type: 'string' }, kind: { type: 'string' }, state: { type: 'string' }, retries: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return usage(io, 'upload');
  if (positionals.length !== 1) throw new AgentError('give exactly one FILE to upload', 2);
  const file = positionals[0];
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) throw new AgentError(`${file} is not a file`, 2);
  const kind = parseKind(values.kind);
  const retries = parseCount(values.retries, 'retries', 3);
  const { state, key } = loadState(values.state ?? DEFAULT_STATE_DIR);
  let startedAt: string, endedAt: string;
  try {
    const derived = values.started && values.ended ? null : await clipTimes(file);
    startedAt = canonicalTime(values.started ?? derived!.startedAt);
    endedAt = canonicalTime(values.ended ?? derived!.endedAt);
  } catch (err) {
    throw new AgentError(`cannot read the clip's times: ${(err as Error).message}`, 2);
  }
  const target = targetOf(state, key);
  for (let attempt = 0; ; attempt++) {
    let last: string;
    try {
      // Redrawn when the whole percentage changes, not on every 64 KiB chunk.
      let shown = -1;
      const onProgress = io.tty
        ? (sent: number, total: number) => {
          const pct = total ? Math.floor((sent / total) * 100) : 100;
          if (pct !== shown) io.tty!.write(`\r${renderProgress(sent, total)}`);
          shown = pct;
        }
        : undefined;
      const r = await uploadClip(target, { file, startedAt, endedAt, kind, onProgress, signal: io.signal });
      if (io.tty) io.tty.write('\n');
      if (r.status === 200 || r.status === 201) {
        for (const note of r.notes) io.out(note);
        io.out(`uploaded clip ${String(r.body?.id)} (sha256 ${r.sha256})`);
        return 0;
      }
      if (!isRetryable(r.status)) throw new AgentError(`upload refused: ${describeFailure(r)}`);
      last = describeFailure(r);
    } catch (err) {
      if (err instanceof SealRefused) throw new AgentError(`upload refused: ${err.message}`);
      if (!(err instanceof NetworkError)) throw err;
      if (io.tty) io.tty.write('\n');
      last = `network: ${err.message}`;
    }
    if (attempt >= retries || io.signal?.aborted) throw new AgentError(`upload failed after ${attempt + 1} attempts: ${last}`);
    const wait = backoffMs(attempt, 1000, 30_000);
    io.err(`${last}; retrying in ${(wait / 1000).toFixed(1)} s`);
    await sleep(wait, io.signal);
  }
}

async function watch(argv: string[], io: AgentIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      state: { type: 'string' }, kind: { type: 'string' }, interval: { type: 'string' }, delete: { type: 'boolean' }, once: { type: 'boolean' },
      'max-attempts': { type: 'string' }, 'backoff-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return usage(io, 'watch');
  if (positionals.length !== 1) throw new AgentError('give exactly one DIR to watch', 2);
  const stateDir = values.state ?? DEFAULT_STATE_DIR;
  const { state, key } = loadState(stateDir);
  const signal = io.signal ?? stopSignal();
  const summary = await watchDirectory({
    dir: positionals[0],
    stateDir,
    target: targetOf(state, key),
    kind: parseKind(values.kind, 'motion'),
    intervalMs: Math.max(10, parseCount(values.interval, 'interval', 2000)),
    deleteAfterUpload: Boolean(values.delete),
    once: Boolean(values.once),
    maxAttempts: values['max-attempts'] === undefined ? Infinity : Math.max(1, parseCount(values['max-attempts'], 'max-attempts', 1)),
    backoffBaseMs: parseCount(values['backoff-ms'], 'backoff-ms', 1000),
    backoffMaxMs: 5 * 60_000,
    signal,
    log: (l) => io.out(l),
    progress: (name) => progressBar(name, { unit: 'bytes' }),
  });
  io.out(`watch ended: ${summary.uploaded} uploaded, ${summary.rejected} rejected, ${summary.failed} left for later`);
  return summary.failed > 0 ? 1 : 0;
}

/** SIGINT/SIGTERM end the watch after the upload in flight, so the journal stays exact. */
function stopSignal(): AbortSignal {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}

async function status(argv: string[], io: AgentIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { state: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return usage(io, 'status');
  const { state } = loadState(values.state ?? DEFAULT_STATE_DIR);
  io.out(`server ${state.server}\ncamera ${state.cameraId}\npublic key ${state.publicKey}\nenrolled ${state.enrolledAt}`);
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/devices/me', state.server), { headers: { authorization: `Bearer ${state.token}` }, signal: io.signal });
  } catch (err) {
    throw new AgentError(`cannot reach ${state.server}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { name?: string; detail?: string } | null;
  if (res.status !== 200) throw new AgentError(`the server does not accept this device (${res.status}): ${body?.detail ?? ''}`);
  io.out(`token accepted; camera name "${body?.name}"`);
  return 0;
}

async function rotateToken(argv: string[], io: AgentIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { state: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return usage(io, 'rotate-token');
  const dir = values.state ?? DEFAULT_STATE_DIR;
  const { state } = loadState(dir);
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/devices/me/token/rotate', state.server), { method: 'POST', headers: { authorization: `Bearer ${state.token}` }, signal: io.signal });
  } catch (err) {
    throw new AgentError(`cannot reach ${state.server}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as { token?: string; detail?: string } | null;
  if (res.status !== 201 || !body?.token) throw new AgentError(`rotation refused (${res.status}): ${body?.detail ?? res.statusText}`);
  saveState(dir, { ...state, token: body.token });
  io.out('device token rotated; the old one no longer works');
  return 0;
}

const COMMANDS: Record<string, (argv: string[], io: AgentIo) => Promise<number>> = { enroll, upload, watch, status, 'rotate-token': rotateToken };

/** Runs `porchlight camera ...` (argv without "camera"); returns the exit code. */
export async function runCameraCli(argv: string[], io: AgentIo = defaultIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') return usage(io);
  const run = COMMANDS[cmd];
  if (!run) {
    io.err(`unknown camera command "${cmd}"; run "porchlight camera --help"`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof AgentError) {
      io.err(`porchlight camera ${cmd}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`porchlight camera ${cmd}: ${err.message}\n\n${USAGE[cmd]}`);
      return 2;
    }
    throw err;
  }
}
