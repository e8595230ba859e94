// Demo steps: the homes' cameras, and a little footage on the cameras near the
// middle of the grid so requests, receipts and the log have something to show.
// The clip bytes are the small test fixtures, uploaded through the clips
// service as their owners (manual uploads), so they are encrypted like any other.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BuiltApp } from '../app/wire.ts';
import type { UserActor } from '../platform/access.ts';
import { DAY, HOUR } from '../platform/clock.ts';
import { seedDemoCameras, type DemoCamera } from './cameras.ts';
import { DEMO_CENTRE } from './neighbourhood.ts';
import type { DemoState, DemoStep } from './state.ts';

// A few seconds of ffmpeg's test pattern (made like test/fixtures/clip.mp4).
const FIXTURE = path.resolve(import.meta.dirname, 'assets/doorbell.mp4');
const CLIPS_PER_CAMERA = 2;
const CAMERAS_WITH_FOOTAGE = 24;

export const camerasStep: DemoStep = {
  name: 'cameras',
  async run(built, state, progress) {
    state.extra.cameras = await seedDemoCameras(built.ctx.db.kysely, state.homes, built.ctx.clock.now(), progress);
  },
};

/**
 * The fixture as the n-th clip of a camera: from the second on, a top-level MP4
 * `free` box (ISO/IEC 14496-12 §8.1.2: size u32 BE, 'free', payload) is
 * appended, so each clip has its own bytes and is not answered as a duplicate
 * of the first, while players and the upload's MP4 check skip the box.
 */
export function nthClip(mp4: Buffer, n: number): Buffer {
  if (n === 0) return mp4;
  const payload = Buffer.from(`porchlight demo clip ${n}`);
  const box = Buffer.alloc(8 + payload.length);
  box.writeUInt32BE(box.length, 0);
  box.write('free', 4, 'latin1');
  payload.copy(box, 8);
  return Buffer.concat([mp4, box]);
}

/**
 * The hour the demo's footage was filmed: the one that began two days before
 * the last full hour. Two days, not one, so that the community requests about
 * it can be posted after it and still more than 24 hours ago (requests.ts):
 * the agency's rolling daily quota is then whole for whoever tries it first.
 */
export const footageHour = (now: number) => now - 2 * DAY - (now % HOUR);

const ownerActor = (userId: string): UserActor => ({ kind: 'user', userId, role: 'resident', agencyId: null, totpEnabled: false, sessionId: 'demo-seed', via: 'bearer' });

export const footageStep: DemoStep = {
  name: 'footage',
  async run(built: BuiltApp, state: DemoState, progress) {
    const cameras = (state.extra.cameras as DemoCamera[] | undefined) ?? [];
    const dist = (c: DemoCamera) => (c.lat - DEMO_CENTRE.lat) ** 2 + (c.lon - DEMO_CENTRE.lon) ** 2;
    const chosen = cameras.filter((c) => c.kind === 'doorbell').sort((a, b) => dist(a) - dist(b)).slice(0, CAMERAS_WITH_FOOTAGE);
    const now = built.ctx.clock.now();
    // A few minutes apart per camera: what a request for "that night around 9 pm" would find.
    const base = footageHour(now);
    const total = chosen.length * CLIPS_PER_CAMERA;
    let done = 0;
    const fixture = fs.readFileSync(FIXTURE);
    for (const [i, cam] of chosen.entries()) {
      for (let k = 0; k < CLIPS_PER_CAMERA; k++) {
        const start = base + i * 60_000 + k * 20 * 60_000;
        await built.services.clips.upload(ownerActor(cam.ownerId), {
          cameraId: cam.id,
          startedAt: new Date(start).toISOString(),
          endedAt: new Date(start + 30_000).toISOString(),
          kind: k === 0 ? 'motion' : 'doorbell',
          idempotencyKey: `demo-${cam.id}-${k}`,
          body: Readable.from([nthClip(fixture, k)]),
        });
        progress(++done, total);
      }
    }
    await built.services.clips.settled();
  },
};
