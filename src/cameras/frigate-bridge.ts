// The Frigate bridge: Frigate's MQTT events in, Porchlight clips out.
//
// 1. Messages on <prefix>/events and <prefix>/reviews are parsed
//    (frigate-payload.ts), filtered by the settings, and a finished event with
//    a clip is queued in the state file (frigate-state.ts) before the message
//    is acknowledged: a QoS 1 message is acknowledged only once it is on disk,
//    so a crash before that gets it redelivered by the broker.
// 2. One worker takes the queue in order: it fetches the clip from Frigate
//    (frigate-api.ts) and uploads it with the camera agent's own code
//    (agent-upload.ts: the device key's signature, or the end-to-end envelope
//    when the camera is in that mode), then marks the event done. Failures
//    wait with exponential backoff; the queue is bounded.
// 3. Frigate publishes at QoS 0, so what it sends while the bridge is away is
//    lost to MQTT. At every (re)connect the bridge therefore asks Frigate's API
//    for the events of the last `catchUpHours` and queues those it does not
//    know: a restart or reconnect skips nothing, and the state file makes sure
//    nothing is sent twice.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { AgentError } from './agent-state.ts';
import { SealRefused } from './agent-e2ee.ts';
import { backoffMs, describeFailure, isRetryable, NetworkError, uploadClip, type UploadTarget } from './agent-upload.ts';
import { canonicalTime } from './signature.ts';
import type { BridgeConfig } from './frigate-config.ts';
import type { BridgeState, QueuedEvent } from './frigate-state.ts';
import { ClipNotReady, ClipRefused, type FrigateApi } from './frigate-api.ts';
import { decide, parseEventMessage, parseReviewMessage, type FrigateEvent } from './frigate-payload.ts';

export interface BridgeDeps {
  config: BridgeConfig;
  state: BridgeState;
  frigate: FrigateApi;
  /** The upload target of each forwarded Frigate camera (its enrolled agent). */
  targets: ReadonlyMap<string, UploadTarget>;
  /** mqtt.connect, or a client factory of the same shape. */
  connect: (url: string, options: IClientOptions) => MqttClient;
  /** Where clips wait between Frigate and Porchlight (private to the bridge). */
  workDir: string;
  now: () => number;
  log: (line: string) => void;
  err: (line: string) => void;
  signal: AbortSignal;
}

export class BrokerUnreachable extends AgentError {}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class FrigateBridge {
  readonly #d: BridgeDeps;
  readonly #stop = new AbortController();
  #messages: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;
  #overflowed = false;
  #fatal: Error | null = null;
  readonly counts = { uploaded: 0, alreadyStored: 0, rejected: 0 };

  constructor(deps: BridgeDeps) {
    this.#d = deps;
    deps.signal.addEventListener('abort', () => this.#halt(null), { once: true });
  }

  /** Connects, then runs until the signal aborts; throws BrokerUnreachable when the broker does not answer at start. */
  async run(): Promise<void> {
    const { config } = this.#d;
    const client = this.#d.connect(config.mqtt.url, {
      clientId: config.mqtt.clientId,
      // A persistent session: the broker keeps QoS 1 messages for the bridge while it is away.
      clean: false,
      username: config.mqtt.username ?? undefined,
      password: config.mqtt.password ?? undefined,
      connectTimeout: config.connectTimeoutMs,
      reconnectPeriod: 1000,
    });
    // mqtt.js's documented hook for handling messages one at a time with
    // backpressure: it sends a QoS 1 message's PUBACK only once `done` is
    // called, which is after the event is recorded (step 1 above). Set before
    // any I/O, so a persistent session's waiting messages meet it too.
    client.handleMessage = (packet, done) => this.#onMessage(packet.topic, Buffer.from(packet.payload), () => done());
    try {
      await this.#firstConnect(client);
    } catch (err) {
      client.end(true);
      throw new BrokerUnreachable(`cannot reach the MQTT broker at ${config.mqtt.url}: ${message(err)}; nothing was changed`);
    }
    const onConnect = () => {
      this.#d.log(`connected to the MQTT broker at ${config.mqtt.url}`);
      const p = config.mqtt.topicPrefix;
      client.subscribe([`${p}/events`, `${p}/reviews`], { qos: 1 }, (err) => {
        if (err && !this.#stop.signal.aborted) this.#d.err(`cannot subscribe to ${p}/events and ${p}/reviews: ${err.message}`);
      });
      this.#serially(() => this.#catchUp());
    };
    client.on('connect', onConnect);
    client.on('offline', () => this.#d.err('lost the MQTT broker; reconnecting'));
    onConnect();
    try {
      await this.#work();
      await this.#messages;
    } finally {
      await client.endAsync(true).catch(() => {});
    }
    if (this.#fatal) throw this.#fatal;
  }

  #firstConnect(client: MqttClient): Promise<void> {
    return new Promise((resolve, reject) => {
      let last: Error | null = null;
      const done = (err: Error | null) => {
        clearTimeout(timer);
        client.off('connect', ok).off('error', onError).off('close', closed);
        if (err) reject(err);
        else resolve();
      };
      const ok = () => done(null);
      const onError = (err: Error) => (last = err);
      const closed = () => done(last ?? new Error('the connection closed'));
      const timer = setTimeout(() => done(new Error(`no answer within ${this.#d.config.connectTimeoutMs} ms`)), this.#d.config.connectTimeoutMs);
      client.on('connect', ok).on('error', onError).on('close', closed);
    });
  }

  #halt(err: Error | null): void {
    if (err && !this.#fatal) this.#fatal = err;
    this.#stop.abort();
    this.#wake?.();
  }

  /** Messages are handled one at a time, in arrival order, so the state file sees them in order. */
  #serially(job: () => Promise<void>): Promise<void> {
    const run = this.#messages.then(job).catch((err: unknown) => {
      // The state file could not be written: stop without acknowledging, so the broker redelivers.
      this.#d.err(`cannot record an event: ${message(err)}; stopping`);
      this.#halt(err instanceof Error ? err : new Error(String(err)));
      throw err;
    });
    this.#messages = run.catch(() => {});
    return run;
  }

  #onMessage(topic: string, payload: Buffer, ack: () => void): void {
    this.#serially(() => this.#handleMessage(topic, payload)).then(ack, () => {});
  }

  async #handleMessage(topic: string, payload: Buffer): Promise<void> {
    const p = this.#d.config.mqtt.topicPrefix;
    if (topic === `${p}/events`) {
      const m = parseEventMessage(payload);
      if (!m.ok) return this.#d.err(`malformed message on ${topic}: ${m.reason}; ignored, nothing recorded`);
      if (m.value.type === 'end' || m.value.event.endMs !== null) this.#offer(m.value.event, 'mqtt');
    } else if (topic === `${p}/reviews`) {
      const m = parseReviewMessage(payload);
      if (!m.ok) return this.#d.err(`malformed message on ${topic}: ${m.reason}; ignored, nothing recorded`);
      if (!m.value.ended) return;
      // A review item names its tracked objects; any not seen on <prefix>/events is looked up.
      for (const id of m.value.detections) {
        if (this.#d.state.isKnown(id)) continue;
        try {
          const e = await this.#d.frigate.getEvent(id, this.#stop.signal);
          if (e) this.#offer(e, `review ${m.value.id}`);
        } catch (err) {
          if (this.#stop.signal.aborted) return;
          this.#d.err(`cannot look up event ${id} of review ${m.value.id}: ${message(err)}; the next catch-up will`);
        }
      }
    }
  }

  /** One finished event from any source: filtered, then queued. */
  /** Returns whether the event was queued. */
  #offer(e: FrigateEvent, source: string): boolean {
    if (this.#stop.signal.aborted) return false; // a catch-up that outlived the stop records nothing
    const d = decide(e, this.#d.config.rules);
    const what = `event ${e.id} (${e.camera}, ${e.label}, from ${source})`;
    if (d.action === 'refuse') return (this.#d.err(`${what}: ${d.reason}; not forwarded, nothing recorded`), false);
    if (d.action === 'skip') return (this.#d.log(`${what}: skipped, ${d.reason}`), false);
    const r = this.#d.state.enqueue(e, this.#d.now());
    if (r === 'full') {
      this.#overflowed = true;
      this.#d.err(`queue full: ${this.#d.state.limit} events wait for Porchlight (queueLimit); ${what} was NOT queued. It is fetched from Frigate again once the queue drains (catch-up, within catchUpHours)`);
      return false;
    }
    if (r === 'known') return false;
    this.#d.log(`${what}: queued (${this.#d.state.queued} waiting)`);
    this.#wake?.();
    return true;
  }

  /** Queues the finished events Frigate kept from the last catchUpHours that the state file does not know. */
  async #catchUp(): Promise<void> {
    const { config, state, frigate, now } = this.#d;
    if (config.catchUpHours === 0) return;
    const since = now() - config.catchUpHours * 3_600_000;
    state.prune(since - 3_600_000);
    let found;
    try {
      found = await frigate.recentEvents(since, this.#stop.signal);
    } catch (err) {
      if (!this.#stop.signal.aborted) this.#d.err(`catch-up: ${message(err)}; events missed while away wait for the next reconnect`);
      return;
    }
    if (found.malformed) this.#d.err(`catch-up: ${found.malformed} malformed events in Frigate's list were ignored`);
    const queued = found.events.filter((e) => !state.isKnown(e.id) && this.#offer(e, 'catch-up')).length;
    this.#d.log(`catch-up: ${found.events.length} events with clips in the last ${config.catchUpHours} h, ${queued} newly queued`);
  }

  async #work(): Promise<void> {
    const { state, now } = this.#d;
    while (!this.#stop.signal.aborted) {
      const { due, wakeAt } = state.next(now());
      if (!due) {
        await this.#sleep(wakeAt === null ? 60_000 : wakeAt - now());
        continue;
      }
      await this.#send(due);
      if (this.#overflowed && state.queued < state.limit / 2) {
        this.#overflowed = false;
        void this.#serially(() => this.#catchUp()).catch(() => {});
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }

  async #send(q: QueuedEvent): Promise<void> {
    const { state, frigate, config, now } = this.#d;
    const target = this.#d.targets.get(q.camera);
    const route = config.routes.get(q.camera);
    if (!target || !route) {
      this.#d.err(`event ${q.id}: camera "${q.camera}" is no longer in the bridge config; dropped from the queue`);
      return state.drop(q.id);
    }
    const file = path.join(this.#d.workDir, `${q.id}.mp4`);
    const signal = this.#stop.signal;
    try {
      await frigate.fetchClip(q.id, file, signal);
      const r = await uploadClip(target, { file, startedAt: canonicalTime(q.startMs), endedAt: canonicalTime(q.endMs), kind: route.kind, signal });
      if (r.status === 200 || r.status === 201) {
        const clipId = typeof r.body?.id === 'string' ? r.body.id : undefined;
        state.finish(q.id, { status: 'uploaded', clipId, at: now() });
        if (r.replayed) this.counts.alreadyStored++;
        else this.counts.uploaded++;
        return this.#d.log(`event ${q.id}: uploaded as clip ${clipId ?? '?'}${r.replayed ? ' (the server had it already: Idempotent-Replayed)' : ''}${r.notes.length ? `; ${r.notes.join('; ')}` : ''}`);
      }
      if (r.status === 401 || r.status === 403) return this.#retry(q, `Porchlight refused the device token of camera "${q.camera}" (${describeFailure(r)}); enrol it again`);
      if (isRetryable(r.status)) return this.#retry(q, describeFailure(r));
      state.finish(q.id, { status: 'rejected', reason: describeFailure(r), at: now() });
      this.counts.rejected++;
      this.#d.err(`event ${q.id}: Porchlight refused the clip, ${describeFailure(r)}; it will not be sent again`);
    } catch (err) {
      if (signal.aborted) return; // stays queued for the next run
      if (err instanceof ClipRefused) {
        this.#d.err(`event ${q.id}: ${err.message}; not forwarded, nothing recorded`);
        return state.drop(q.id);
      }
      if (err instanceof ClipNotReady && q.attempts + 1 >= config.maxClipAttempts) {
        state.finish(q.id, { status: 'rejected', reason: `Frigate served no clip after ${q.attempts + 1} attempts`, at: now() });
        this.counts.rejected++;
        return this.#d.err(`event ${q.id}: ${err.message}, ${q.attempts + 1} times; given up`);
      }
      if (err instanceof ClipNotReady || err instanceof NetworkError || err instanceof SealRefused) return this.#retry(q, err.message);
      throw err;
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  #retry(q: QueuedEvent, why: string): void {
    const wait = backoffMs(q.attempts, this.#d.config.retry.baseMs, this.#d.config.retry.maxMs);
    const attempts = this.#d.state.defer(q.id, this.#d.now() + wait);
    this.#d.err(`event ${q.id}: ${why}; attempt ${attempts} failed, retrying in ${(wait / 1000).toFixed(1)} s (${this.#d.state.queued} queued)`);
  }
}
