// The evidence package's format name and kinds, shared by the builder
// (evidence-package.ts) and the offline verifier (evidence-cli.ts). Pure: the
// verifier imports it without pulling in the database.

export const EVIDENCE_FORMAT = 'porchlight-evidence-v1';

/** What the package is evidence of; the verifier checks each log entry's basis against it. */
export type PackageKind = 'request' | 'emergency' | 'warrant';

/** The log basis (src/ledger/entry.ts) each kind of package must show in every entry. */
export const BASIS_OF_KIND = { request: 'consent', emergency: 'emergency', warrant: 'warrant' } as const satisfies Record<PackageKind, string>;
