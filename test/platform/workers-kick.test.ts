// Workers.kick: a worker runs at once when asked (a new post's notifications),
// but only while the workers run; a kick during a run runs it once more after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Workers } from '../../src/platform/workers.ts';

test('kick does nothing before start, runs at once after, and once more when kicked mid-run', async () => {
  const w = new Workers(() => {});
  let runs = 0;
  let release: () => void = () => {};
  w.add({ name: 'job', intervalMs: 3_600_000, run: () => new Promise<void>((r) => { runs++; release = r; }) });
  w.kick('job');
  assert.equal(runs, 0, 'not started: tests drive workers with runAll');
  w.start(); // start() runs each worker once
  assert.equal(runs, 1);
  w.kick('job'); // while that run is going
  w.kick('job');
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2, 'one more run, however many kicks came in');
  release();
  await new Promise((r) => setImmediate(r));
  w.kick('job');
  assert.equal(runs, 3);
  release();
  w.stop();
  w.kick('unknown');
});
