// `porchlight frigate run | check | status`: the Frigate bridge's command line.
// It builds the bridge's parts from the config file, each handed in whole
// (frigate-bridge.ts takes every dependency as a constructor argument), and
// maps failures to one line and an exit code, as the camera agent does.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import type { AgentIo } from './agent.ts';
import { AgentError, loadState } from './agent-state.ts';
import type { UploadTarget } from './agent-upload.ts';
import { loadBridgeConfig, type BridgeConfig } from './frigate-config.ts';
import { BridgeState } from './frigate-state.ts';
import { frigateApi } from './frigate-api.ts';
import { FrigateBridge } from './frigate-bridge.ts';

const defaultIo = (): AgentIo => ({
  out: (l) => process.stdout.write(`${new Date().toISOString()} ${l}\n`),
  err: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
  tty: null,
});

const USAGE = `porchlight frigate <run|check|status> --config FILE

A bridge from a Frigate NVR to Porchlight. It subscribes to Frigate's MQTT
topics (<prefix>/events, <prefix>/reviews), fetches the clip of each finished
event that passes the config's filters from Frigate's HTTP API, and uploads it
as the Porchlight camera it is mapped to, signed with that camera's device key
(enrol each one first with "porchlight camera enroll --state DIR"). Frigate's
face and license_plate data are never forwarded or stored.

  run      run the bridge until SIGINT/SIGTERM
  check    check the config and each camera's enrolment, then exit
  status   show what the state file holds (queued, uploaded, rejected)

The config file's settings are described in the README, "Frigate bridge".`;

function configArg(argv: string[]): string | null {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return null;
  if (!values.config) throw new AgentError('--config FILE is required', 2);
  return values.config;
}

/** Each forwarded camera's upload target, from its agent state directory. */
function targetsOf(config: BridgeConfig): Map<string, UploadTarget> {
  const targets = new Map<string, UploadTarget>();
  for (const [name, route] of config.routes) {
    let loaded;
    try {
      loaded = loadState(route.agentState);
    } catch (err) {
      throw new AgentError(`camera "${name}": ${(err as Error).message}`, 2);
    }
    const { state, key } = loaded;
    targets.set(name, { server: state.server, cameraId: state.cameraId, token: state.token, key, ffmpegPath: process.env.FFMPEG_PATH ?? 'ffmpeg' });
  }
  return targets;
}

/** SIGINT/SIGTERM stop the bridge; the upload in flight stays queued for the next run. */
function stopSignal(): AbortSignal {
  const ac = new AbortController();
  process.once('SIGINT', () => ac.abort());
  process.once('SIGTERM', () => ac.abort());
  return ac.signal;
}

async function run(argv: string[], io: AgentIo): Promise<number> {
  const file = configArg(argv);
  if (!file) return (io.out(USAGE), 0);
  const config = loadBridgeConfig(file);
  const targets = targetsOf(config);
  const state = new BridgeState(config.stateFile, config.queueLimit);
  // Clips wait here between Frigate and Porchlight; what a crash left is stale.
  const workDir = path.join(path.dirname(config.stateFile), 'clips-in-flight');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const bridge = new FrigateBridge({
    config, state, targets, workDir,
    frigate: frigateApi(config.frigateUrl, config.maxClipBytes),
    connect: mqtt.connect,
    now: Date.now,
    log: io.out,
    err: io.err,
    signal: io.signal ?? stopSignal(),
  });
  io.out(`bridging Frigate ${config.frigateUrl} (cameras ${[...config.routes.keys()].join(', ')}) to Porchlight; ${state.queued} events queued from before`);
  await bridge.run();
  const c = bridge.counts;
  io.out(`bridge stopped: ${c.uploaded} uploaded, ${c.alreadyStored} already stored, ${c.rejected} refused; ${state.queued} left queued`);
  return 0;
}

async function check(argv: string[], io: AgentIo): Promise<number> {
  const file = configArg(argv);
  if (!file) return (io.out(USAGE), 0);
  const config = loadBridgeConfig(file);
  for (const [name, t] of targetsOf(config)) io.out(`${name} → Porchlight camera ${t.cameraId} at ${t.server} (kind ${config.routes.get(name)!.kind})`);
  const r = config.rules;
  io.out(`labels ${[...r.labels].join(', ')}; minScore ${r.minScore}; ignored cameras ${[...r.ignoredCameras].join(', ') || 'none'}`);
  io.out(`MQTT ${config.mqtt.url}, topics ${config.mqtt.topicPrefix}/events and ${config.mqtt.topicPrefix}/reviews; Frigate ${config.frigateUrl}`);
  io.out('config OK');
  return 0;
}

async function status(argv: string[], io: AgentIo): Promise<number> {
  const file = configArg(argv);
  if (!file) return (io.out(USAGE), 0);
  const config = loadBridgeConfig(file);
  const s = new BridgeState(config.stateFile, config.queueLimit).summary();
  io.out(`${s.queued} queued (limit ${config.queueLimit}), ${s.uploaded} uploaded, ${s.rejected} refused`);
  return 0;
}

const COMMANDS: Record<string, (argv: string[], io: AgentIo) => Promise<number>> = { run, check, status };

/** Runs `porchlight frigate ...` (argv without "frigate"); returns the exit code. */
export async function runFrigateCli(argv: string[], io: AgentIo = defaultIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') return (io.out(USAGE), 0);
  const command = COMMANDS[cmd];
  if (!command) {
    io.err(`unknown frigate command "${cmd}"; run "porchlight frigate --help"`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof AgentError) {
      io.err(`porchlight frigate ${cmd}: ${err.message}`);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`porchlight frigate ${cmd}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
