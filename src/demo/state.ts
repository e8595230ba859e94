// What the demo steps share: the demo staff and password, the state each step
// reads and extends, and the shape of a step. Apart from seed.ts so that the
// steps can import it without importing the seeder that runs them.
import type { BuiltApp } from '../app/wire.ts';
import type { DemoHome } from './neighbourhood.ts';

export const DEMO_PASSWORD = 'porchlight-demo-2026';
// Fixed base32 TOTP secrets for demo staff, so the printed sign-ins work at once.
export const DEMO_STAFF = [
  { key: 'admin', email: 'admin@demo.porchlight.invalid', name: 'Demo Admin', role: 'admin', totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA' },
  { key: 'reviewer', email: 'reviewer@demo.porchlight.invalid', name: 'Rae Reviewer', role: 'reviewer', totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXB' },
  { key: 'reviewer2', email: 'reviewer2@demo.porchlight.invalid', name: 'Rob Reviewer', role: 'reviewer', totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXC' },
  { key: 'officer', email: 'officer@demo.porchlight.invalid', name: 'Officer Ortiz', role: 'agency', totp: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXD' },
] as const;

export interface DemoState {
  userIds: Record<string, string>;
  homes: (DemoHome & { userId: string })[];
  /** Filled in by later steps (agency id, camera ids, …). */
  extra: Record<string, unknown>;
}

export interface DemoStep {
  name: string;
  run(built: BuiltApp, state: DemoState, progress: (done: number, total: number) => void): Promise<void>;
}
