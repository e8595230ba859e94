// The Frigate bridge's pure parts and its state file: parsing Frigate's
// documented MQTT messages (test/fixtures/frigate), the forwarding decision,
// the config checks, and the state file's bound and atomic writes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixturePath } from '../helpers/app.ts';
import { tempDir } from '../helpers/db.ts';
import { decide, parseApiEvent, parseEventMessage, parseReviewMessage, type FrigateEvent } from '../../src/cameras/frigate-payload.ts';
import { parseBridgeConfig } from '../../src/cameras/frigate-config.ts';
import { BridgeState } from '../../src/cameras/frigate-state.ts';
import { apiEvent, eventMessage } from './frigate-kit.ts';

const docEvent = fs.readFileSync(fixturePath('frigate/event-update.json'));
const docReview = fs.readFileSync(fixturePath('frigate/review-update.json'));

test('the documented frigate/events example parses to the few fields the bridge uses, without the sub-label or face attributes', () => {
  const m = parseEventMessage(docEvent);
  assert.ok(m.ok, m.ok ? '' : m.reason);
  assert.deepEqual(m.value, {
    type: 'update',
    event: { id: '1607123955.475377-mxklsc', camera: 'front_door', label: 'person', topScore: 0.958984375, startMs: 1607123955475, endMs: null, hasClip: false, falsePositive: false },
  });
  assert.doesNotMatch(JSON.stringify(m.value), /John Smith|face|attributes|sub_label/);
});

test('the documented frigate/reviews example parses to its detections', () => {
  const m = parseReviewMessage(docReview);
  assert.ok(m.ok, m.ok ? '' : m.reason);
  assert.deepEqual(m.value, { type: 'update', id: '1718987129.308396-fqk5ka', camera: 'front_cam', ended: false, detections: ['1718987128.947436-g92ztx', '1718987148.879516-d7oq7r', '1718987126.934663-q5ywpt'] });
  assert.doesNotMatch(JSON.stringify(m.value), /Bob/);
});

test('an API event takes its scores from data (Frigate 0.13+), and keeps no plate', () => {
  const p = parseApiEvent(apiEvent({ id: '1700000000.5-abc123', camera: 'drive', label: 'car', topScore: 0.81, startS: 1700000000.5, endS: 1700000010.25, plate: ['ABC123', 0.93], subLabel: ['ABC123', 0.93] }));
  assert.ok(p.ok, p.ok ? '' : p.reason);
  assert.equal(p.value.topScore, 0.81);
  assert.equal(p.value.endMs, 1700000010250);
  assert.doesNotMatch(JSON.stringify(p.value), /ABC123/);
});

test('malformed messages are refused with a reason', () => {
  const good = eventMessage('end', { id: '1700000000.1-aaaaaa', camera: 'front_door', startS: 1700000000, endS: 1700000010 });
  const cases: [unknown, RegExp][] = [
    ['not json {', /not JSON/],
    ['[1,2]', /not a JSON object/],
    [{ ...good, type: 'gone' }, /type/],
    [{ type: 'end' }, /after is missing/],
    [{ ...good, after: { ...(good.after as object), id: '../../etc/passwd' } }, /after\.id/],
    [{ ...good, after: { ...(good.after as object), camera: 'a b' } }, /after\.camera/],
    [{ ...good, after: { ...(good.after as object), top_score: 7 } }, /top_score/],
    [{ ...good, after: { ...(good.after as object), start_time: 'yesterday' } }, /start_time/],
    [{ ...good, after: { ...(good.after as object), end_time: 1600000000 } }, /end_time is before/],
    [{ ...good, after: { ...(good.after as object), has_clip: 'yes' } }, /has_clip/],
    ['x'.repeat(300 * 1024), /over/],
  ];
  for (const [payload, reason] of cases) {
    const m = parseEventMessage(typeof payload === 'string' ? payload : JSON.stringify(payload));
    assert.equal(m.ok, false, String(payload).slice(0, 40));
    if (!m.ok) assert.match(m.reason, reason);
  }
  const r = parseReviewMessage(JSON.stringify({ type: 'end', after: { id: 'r1', camera: 'c', data: { detections: ['ok', 'bad id/..'] } } }));
  assert.equal(r.ok, false);
});

test('decide: only finished events with a clip, from a known camera, of a chosen label and score; never face or license_plate', () => {
  const rules = { cameras: new Set(['front_door']), ignoredCameras: new Set(['garage']), labels: new Set(['person', 'car']), minScore: 0.7 };
  const base: FrigateEvent = { id: 'e1', camera: 'front_door', label: 'person', topScore: 0.9, startMs: 1, endMs: 2, hasClip: true, falsePositive: false };
  const table: [Partial<FrigateEvent>, string][] = [
    [{}, 'forward'],
    [{ endMs: null }, 'skip'],
    [{ hasClip: false }, 'skip'],
    [{ falsePositive: true }, 'skip'],
    [{ camera: 'garage' }, 'skip'],
    [{ camera: 'back_yard' }, 'refuse'],
    [{ label: 'dog' }, 'skip'],
    [{ label: 'face' }, 'skip'],
    [{ label: 'license_plate' }, 'skip'],
    [{ topScore: 0.69 }, 'skip'],
    [{ topScore: 0.7 }, 'forward'],
  ];
  for (const [change, action] of table) assert.equal(decide({ ...base, ...change }, rules).action, action, JSON.stringify(change));
});

test('config: each mistake names its setting; face and license_plate cannot be chosen as labels', () => {
  const dir = tempDir();
  const ok = { mqtt: { url: 'mqtt://127.0.0.1:1883' }, frigate: { url: 'http://frigate:5000/' }, cameras: { front_door: { agentState: 'agents/front' } }, labels: ['person'], minScore: 0.6, stateFile: 'state.json' };
  const c = parseBridgeConfig(ok, dir);
  assert.equal(c.mqtt.topicPrefix, 'frigate');
  assert.equal(c.frigateUrl, 'http://frigate:5000');
  assert.equal(c.routes.get('front_door')!.agentState, path.join(dir, 'agents/front'));
  assert.equal(c.routes.get('front_door')!.kind, 'motion');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ mqtt: undefined }, /"mqtt" is required/],
    [{ mqtt: { url: 'http://x' } }, /"mqtt.url" must start with mqtt:/],
    [{ frigate: { url: 'nope' } }, /"frigate.url" is not a URL/],
    [{ cameras: {} }, /"cameras" is required/],
    [{ cameras: { front_door: {} } }, /agentState/],
    [{ cameras: { front_door: { agentState: 'a', kind: 'fire' } } }, /kind/],
    [{ labels: ['person', 'face'] }, /may not hold "face"/],
    [{ labels: ['license_plate'] }, /may not hold "license_plate"/],
    [{ labels: [] }, /at least one label/],
    [{ minScore: 2 }, /minScore/],
    [{ minScore: undefined }, /minScore/],
    [{ stateFile: undefined }, /stateFile/],
    [{ queueLimit: 0 }, /queueLimit/],
    [{ ignoreCameras: ['front_door'] }, /also in "cameras"/],
    [{ extra: true }, /"extra" is not a setting/],
  ];
  for (const [change, msg] of bad) assert.throws(() => parseBridgeConfig({ ...ok, ...change }, dir), msg, JSON.stringify(change));
});

test('state file: written only on change, atomically, private; bounded; survives a reload', () => {
  const file = path.join(tempDir(), 'state', 'bridge.json');
  const s = new BridgeState(file, 2);
  assert.equal(fs.existsSync(file), false, 'reading writes nothing');
  const ev = (id: string): FrigateEvent => ({ id, camera: 'front_door', label: 'person', topScore: 0.9, startMs: 1000, endMs: 2000, hasClip: true, falsePositive: false });
  assert.equal(s.enqueue(ev('a'), 0), 'queued');
  assert.equal(s.enqueue(ev('a'), 0), 'known');
  assert.equal(s.enqueue(ev('b'), 0), 'queued');
  assert.equal(s.enqueue(ev('c'), 0), 'full');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['bridge.json'], 'no temp file left');
  assert.equal(s.next(0).due!.id, 'a');
  s.defer('a', 500);
  assert.equal(s.next(0).due!.id, 'b');
  s.finish('b', { status: 'uploaded', clipId: 'clip1', at: 1 });
  assert.deepEqual(s.next(0), { due: null, wakeAt: 500 });
  s.drop('a');
  const again = new BridgeState(file, 2);
  assert.deepEqual(again.summary(), { queued: 0, uploaded: 1, rejected: 0 });
  assert.equal(again.isKnown('b'), true);
  again.prune(3000);
  assert.equal(new BridgeState(file, 2).isKnown('b'), false, 'old finished events are pruned');
  fs.writeFileSync(file, '{"version":1,"done":');
  assert.throws(() => new BridgeState(file, 2), /cannot be read/);
});
