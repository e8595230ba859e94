// Demo neighbourhood cameras: one row per camera the generated homes describe.
// Demo only. Written against the repository directly (one transaction, no HTTP)
// so seeding a few hundred cameras takes well under a second.
import type { DbHandle } from '../platform/db/db.ts';
import { newId } from '../platform/crypto.ts';
import type { CameraKind, PrivacyZone } from '../cameras/policy.ts';
import { checkPrivacyZones } from '../cameras/policy.ts';
import { insertCamera } from '../cameras/repository.ts';

export interface DemoCameraHome {
  userId: string;
  cameras: { name: string; kind: CameraKind; lat: number; lon: number; heading: number }[];
}

export interface DemoCamera {
  id: string;
  ownerId: string;
  name: string;
  kind: CameraKind;
  lat: number;
  lon: number;
}

// A doorbell sees the neighbour's front window at the edge of its frame; the
// demo blacks it out, so shared copies show what privacy zones do.
const NEIGHBOUR_WINDOW: PrivacyZone = [[0.78, 0.12], [0.98, 0.12], [0.98, 0.42], [0.78, 0.42]];

/** Inserts the homes' cameras; every fifth doorbell carries a privacy zone and one home in ten opts out of community requests. */
export async function seedDemoCameras(db: DbHandle, homes: DemoCameraHome[], now: number, progress: (done: number, total: number) => void = () => {}): Promise<DemoCamera[]> {
  const zones = checkPrivacyZones([NEIGHBOUR_WINDOW]);
  if (!('value' in zones)) throw new Error('demo privacy zone is invalid');
  const total = homes.reduce((n, h) => n + h.cameras.length, 0);
  const out: DemoCamera[] = [];
  await db.transaction().execute(async (tx) => {
    for (const [i, home] of homes.entries()) {
      for (const c of home.cameras) {
        const id = newId();
        await insertCamera(tx, {
          id,
          owner_id: home.userId,
          name: c.name,
          lat: c.lat,
          lon: c.lon,
          heading: c.heading,
          fov_degrees: c.kind === 'doorbell' ? 160 : 110,
          kind: c.kind,
          community_requests: i % 10 === 9 ? 0 : 1,
          e2ee: 0,
          privacy_zones: c.kind === 'doorbell' && i % 5 === 0 ? JSON.stringify(zones.value) : '[]',
          device_public_key: null,
          created_at: now,
        });
        out.push({ id, ownerId: home.userId, name: c.name, kind: c.kind, lat: c.lat, lon: c.lon });
        progress(out.length, total);
      }
    }
  });
  return out;
}
