// The start-up banner: printed last, after the server listens and its workers
// run, so it is the last thing on a newcomer's terminal rather than buried
// under the log (issue 19, "The banner"). Pure formatting, apart from the QR.
import QRCode from 'qrcode';
import type { SeededDemo } from '../demo/seed.ts';

export interface BannerFacts {
  /** The public address (PUBLIC_URL or where the server listens). */
  base: string;
  metricsAddress: string | null;
  /** The sign-ins of the demo neighbourhood, or null when there is none. */
  demo: SeededDemo | null;
  /** The agency's TOTP set-up as a terminal QR code, or null (not a terminal, or no renderer). */
  qr: string | null;
}

export function serveBanner(f: BannerFacts): string {
  const lines = [
    '',
    `Porchlight is running at ${f.base}`,
    `API reference: ${f.base}/docs   OpenAPI: ${f.base}/openapi.json`,
    ...(f.metricsAddress ? [`Metrics: ${f.metricsAddress}/metrics`] : []),
  ];
  if (f.demo) lines.push('', ...demoLines(f.demo, f.qr));
  return lines.join('\n') + '\n\n';
}

/** The demo's sign-ins: an e-mail and the password for each role, and the agency's authenticator set-up. */
export function demoLines(demo: SeededDemo, qr: string | null): string[] {
  return [
    'DEMO ONLY: these sign-ins are for the generated demo neighbourhood. Do not use them for real data.',
    `  password for every demo account: ${demo.password}`,
    ...demo.signIns.map((s) => `  ${(s.role + ':').padEnd(12)} ${s.email.padEnd(36)} ${s.totpSecret ? `TOTP secret ${s.totpSecret}` : '(no TOTP needed)'}`),
    '',
    `  The agency (${demo.agencyTotp.email}) signs in with a TOTP code. Add it to an authenticator app:`,
    `  ${demo.agencyTotp.otpauthUri}`,
    ...(qr ? qr.replace(/\n+$/, '').split('\n').map((l) => `  ${l}`) : []),
    `  or run "npx porchlight demo --codes" for the current codes (now: ${demo.codesNow()})`,
  ];
}

/** The URI as a QR code drawn with block characters, or null if the renderer fails. */
export async function terminalQr(uri: string): Promise<string | null> {
  try {
    return await QRCode.toString(uri, { type: 'terminal', small: true });
  } catch {
    return null;
  }
}
