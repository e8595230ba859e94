// A generated demo neighbourhood: a street grid of homes around a fictional
// town centre. Deterministic (seeded PRNG), so every demo looks the same.

/** Centre of the demo town (a residential grid; the names are invented). */
export const DEMO_CENTRE = { lat: 45.5231, lon: -122.6765 };

const STREETS = ['Alder', 'Birch', 'Cedar', 'Dogwood', 'Elm', 'Fir', 'Ginkgo', 'Hazel', 'Ivy', 'Juniper', 'Larch', 'Maple', 'Oak', 'Pine', 'Quince', 'Rowan'];
const AVENUES = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th', '11th', '12th', '13th', '14th', '15th', '16th', '17th', '18th', '19th', '20th'];
const FIRST = ['Ada', 'Ben', 'Chloe', 'Dev', 'Ema', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jonah', 'Kemi', 'Luis', 'Mei', 'Noor', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Tariq', 'Uma', 'Vik', 'Wen', 'Yara', 'Zoe'];
const LAST = ['Abbott', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Gupta', 'Hughes', 'Ito', 'Jensen', 'Khan', 'Lopez', 'Moreau', 'Nguyen', 'Okafor', 'Park', 'Quist', 'Rossi', 'Singh', 'Tanaka'];

export interface DemoHome {
  address: string;
  lat: number;
  lon: number;
  ownerName: string;
  email: string;
  cameras: { name: string; kind: 'doorbell' | 'outdoor' | 'indoor'; lat: number; lon: number; heading: number }[];
}

/** mulberry32: a tiny deterministic PRNG for repeatable demo data (not for security). */
export function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const M_PER_DEG_LAT = 111_320;
const mPerDegLon = (lat: number) => M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

/** Homes along east-west streets, ~18 per block side, streets 110 m apart. */
export function demoHomes(count = 320): DemoHome[] {
  const rnd = prng(20221301);
  const homes: DemoHome[] = [];
  const perStreet = 20;
  for (let i = 0; i < count; i++) {
    const street = Math.floor(i / perStreet);
    const n = i % perStreet;
    const side = n % 2; // odd numbers on the north side
    const north = (street - STREETS.length / 2) * 110 + (side ? 12 : -12);
    const east = (Math.floor(n / 2) - perStreet / 4) * 45 + rnd() * 6;
    const lat = DEMO_CENTRE.lat + north / M_PER_DEG_LAT;
    const lon = DEMO_CENTRE.lon + east / mPerDegLon(DEMO_CENTRE.lat);
    const first = FIRST[Math.floor(rnd() * FIRST.length)];
    const last = LAST[Math.floor(rnd() * LAST.length)];
    const number = 100 + Math.floor(n / 2) * 10 + side;
    const facing = side ? 180 : 0; // doors face the street
    const cameras: DemoHome['cameras'] = [{ name: 'Front door', kind: 'doorbell', lat, lon, heading: facing }];
    if (rnd() < 0.45) cameras.push({ name: 'Driveway', kind: 'outdoor', lat: lat + (side ? 4 : -4) / M_PER_DEG_LAT, lon: lon + 6 / mPerDegLon(lat), heading: (facing + 30) % 360 });
    homes.push({
      address: `${number} ${STREETS[street % STREETS.length]} St (${AVENUES[Math.floor(n / 2)]} block)`,
      lat,
      lon,
      ownerName: `${first} ${last}`,
      email: `resident${i + 1}@demo.porchlight.invalid`,
      cameras,
    });
  }
  // Number residents from the middle of town outwards, so resident1 (the
  // printed demo sign-in) lives where the demo's footage and requests are.
  const d = (h: DemoHome) => (h.lat - DEMO_CENTRE.lat) ** 2 + ((h.lon - DEMO_CENTRE.lon) * Math.cos((DEMO_CENTRE.lat * Math.PI) / 180)) ** 2;
  return homes.sort((a, b) => d(a) - d(b)).map((h, i) => ({ ...h, email: `resident${i + 1}@demo.porchlight.invalid` }));
}

/** The demo town's bounding area, used as the demo agency's jurisdiction. */
export function demoJurisdiction(): { type: 'Polygon'; coordinates: number[][][] } {
  const dLat = 1400 / M_PER_DEG_LAT;
  const dLon = 1400 / mPerDegLon(DEMO_CENTRE.lat);
  const { lat, lon } = DEMO_CENTRE;
  return {
    type: 'Polygon',
    coordinates: [[[lon - dLon, lat - dLat], [lon + dLon, lat - dLat], [lon + dLon, lat + dLat], [lon - dLon, lat + dLat], [lon - dLon, lat - dLat]]],
  };
}
