// The published form of the report (GET /transparency/report.json and .csv)
// and the comparison `porchlight report recount` makes. Pure: no I/O. The
// published JSON is untrusted input to the recount, so it is read defensively.
import { type Figure, METRICS, figureKey } from './report.ts';

export const REPORT_VERSION = 1;

export interface PublishedReport {
  readonly version: typeof REPORT_VERSION;
  /** The log the figures were computed from: entries [0, size) under this signed checkpoint. */
  readonly log: { readonly origin: string; readonly size: number; readonly root: string; readonly checkpoint: string };
  readonly figures: Figure[];
}

const CSV_COLUMNS = ['metric', 'month', 'agency', 'demand', 'outcome', 'value', 'first_index', 'last_index', 'tree_size', 'root'] as const;

/** RFC 4180 CSV; every field quoted only when it needs to be (ids and tokens never do). */
export function toCsv(r: PublishedReport): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = r.figures.map((f) => [f.metric, f.month, f.agency, f.demand, f.outcome, f.value, f.first, f.last, r.log.size, r.log.root].map(cell).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNullableString = (v: unknown) => v === null || typeof v === 'string';

/** Reads a published report (attacker-controlled JSON); throws with what is wrong. */
export function readPublished(value: unknown): PublishedReport {
  if (!isObj(value) || value.version !== REPORT_VERSION) throw new Error(`the report is not a version ${REPORT_VERSION} report`);
  const log = value.log;
  if (!isObj(log) || typeof log.checkpoint !== 'string' || !Number.isSafeInteger(log.size) || typeof log.root !== 'string' || typeof log.origin !== 'string') {
    throw new Error('the report names no log checkpoint (log.origin, log.size, log.root, log.checkpoint)');
  }
  if (!Array.isArray(value.figures)) throw new Error('the report has no list of figures');
  value.figures.forEach((f, i) => {
    const ok = isObj(f) && (METRICS as readonly unknown[]).includes(f.metric) && typeof f.month === 'string' && isNullableString(f.agency)
      && isNullableString(f.demand) && isNullableString(f.outcome) && typeof f.value === 'number' && Number.isFinite(f.value);
    if (!ok) throw new Error(`figure ${i} is not a figure (metric, month, agency, demand, outcome, value)`);
  });
  return value as unknown as PublishedReport;
}

const label = (f: Figure) => [f.metric, f.month, f.agency ?? '-', f.demand ?? '-', f.outcome ?? '-'].join(' ');

/** Each difference between what was published and what the entries give, in words; empty when all match. */
export function differences(published: readonly Figure[], recounted: readonly Figure[]): string[] {
  const mine = new Map(recounted.map((f) => [figureKey(f), f]));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of published) {
    const k = figureKey(f);
    if (seen.has(k)) {
      out.push(`${label(f)}: published twice`);
      continue;
    }
    seen.add(k);
    const m = mine.get(k);
    if (!m) out.push(`${label(f)}: published ${f.value}, but no entry gives this figure`);
    else if (m.value !== f.value) out.push(`${label(f)}: published ${f.value}, the log gives ${m.value}`);
  }
  for (const [k, m] of mine) if (!seen.has(k)) out.push(`${label(m)}: the log gives ${m.value}, but the report leaves it out`);
  return out;
}
