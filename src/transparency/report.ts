// The transparency report, computed from the disclosure log alone (issue 13;
// PRODUCT.md G). Pure: entries go in one at a time, in log order, and figures
// come out. The server folds new entries in as the log grows; `porchlight
// report recount` folds the entries it fetched and verified itself, with this
// same code, and compares. Nothing here trusts anything but the entries.
//
// What each figure counts is in docs/transparency.md.
import type { LogEntry } from '../ledger/entry.ts';

export const METRICS = [
  'content_disclosures',
  'non_content_disclosures',
  'clips_preserved',
  'emergency_disclosures',
  'emergency_follow_ups',
  'emergency_no_follow_up',
  'decisions',
  'owners_notified',
  'requests_sent',
  'homes_reached',
  'homes_shared',
  'share_of_homes_that_shared',
  'e2ee_refusals',
] as const;
export type Metric = (typeof METRICS)[number];

/** Bases whose clips were released as video (content) or as records about them (non-content). */
const CONTENT = new Set(['consent', 'warrant', 'emergency', 'public_post']);
const NON_CONTENT = new Set(['subpoena', 'court_order']);

export interface Figure {
  readonly metric: Metric;
  /** UTC month of the entries counted, YYYY-MM (for homes shared: the request's month). */
  readonly month: string;
  readonly agency: string | null;
  /** The kind of demand or basis, where the metric has one. */
  readonly demand: string | null;
  readonly outcome: string | null;
  readonly value: number;
  /** Log indices of the first and last entry this figure was computed from. */
  readonly first: number;
  readonly last: number;
}

interface Cell {
  metric: Metric;
  month: string;
  agency: string | null;
  demand: string | null;
  outcome: string | null;
  value: number;
  first: number;
  last: number;
}

const month = (time: string) => time.slice(0, 7);
const keyOf = (m: Metric, mo: string, agency: string | null, demand: string | null, outcome: string | null) => `${m}|${mo}|${agency ?? ''}|${demand ?? ''}|${outcome ?? ''}`;

/** The share of reached homes that shared, rounded so that every reader computes the same digits. */
export const shareOf = (shared: number, reached: number) => (reached === 0 ? 0 : Math.round((shared / reached) * 10_000) / 10_000);

/**
 * The running tally. `fold` takes entries in log order (index 0, 1, …); it
 * keeps only counts and the few refs that later entries point back to:
 * requests (for the homes that answered) and demands (for refusals and
 * notices), so memory grows with requests and demands, not with disclosures.
 */
export class ReportTally {
  #size = 0;
  readonly #cells = new Map<string, Cell>();
  /** Community request id → its month and agency, from `request_sent`. */
  readonly #requests = new Map<string, { month: string; agency: string | null }>();
  /** Demand or emergency id → its kind, from `decision`. */
  readonly #demands = new Map<string, string>();
  /** Emergencies counted once each, per metric. */
  readonly #emergencies = { emergency_disclosures: new Set<string>(), emergency_follow_ups: new Set<string>(), emergency_no_follow_up: new Set<string>() };

  /** How many entries have been folded in: the next index expected. */
  get size(): number {
    return this.#size;
  }

  #add(index: number, m: Metric, mo: string, agency: string | null, demand: string | null, outcome: string | null, by: number): void {
    const k = keyOf(m, mo, agency, demand, outcome);
    const c = this.#cells.get(k);
    if (c) {
      c.value += by;
      c.last = index;
    } else {
      this.#cells.set(k, { metric: m, month: mo, agency, demand, outcome, value: by, first: index, last: index });
    }
  }

  #once(index: number, m: 'emergency_disclosures' | 'emergency_follow_ups' | 'emergency_no_follow_up', e: LogEntry): void {
    if (this.#emergencies[m].has(e.ref)) return;
    this.#emergencies[m].add(e.ref);
    this.#add(index, m, month(e.time), e.agency, 'emergency', null, 1);
  }

  /** Folds in the entry at `index`, which must be the next one: a gap or a repeat would miscount. */
  fold(index: number, e: LogEntry): void {
    if (index !== this.#size) throw new Error(`entries are folded in log order: expected index ${this.#size}, got ${index}`);
    this.#size++;
    const mo = month(e.time);
    const n = e.clips.length;
    if (CONTENT.has(e.basis) && n > 0) this.#add(index, 'content_disclosures', mo, e.agency, e.basis, null, n);
    if (NON_CONTENT.has(e.basis) && n > 0) this.#add(index, 'non_content_disclosures', mo, e.agency, e.basis, null, n);
    switch (e.basis) {
      case 'preservation':
        if (n > 0) this.#add(index, 'clips_preserved', mo, e.agency, 'preservation', null, n);
        break;
      case 'emergency':
        this.#once(index, 'emergency_disclosures', e);
        break;
      case 'follow_up':
        this.#once(index, 'emergency_follow_ups', e);
        break;
      case 'no_follow_up':
        this.#once(index, 'emergency_no_follow_up', e);
        break;
      case 'decision':
        if (e.demand) this.#demands.set(e.ref, e.demand);
        this.#add(index, 'decisions', mo, e.agency, e.demand ?? null, e.outcome ?? null, 1);
        break;
      case 'owners_notified':
        this.#add(index, 'owners_notified', mo, e.agency, this.#demands.get(e.ref) ?? null, null, e.count ?? 0);
        break;
      case 'request_sent':
        this.#requests.set(e.ref, { month: mo, agency: e.agency });
        this.#add(index, 'requests_sent', mo, e.agency, e.incident ?? null, null, 1);
        this.#add(index, 'homes_reached', mo, e.agency, null, null, e.count ?? 0);
        break;
      case 'request_answered': {
        // Counted in the request's month, so that shared/reached compares the same homes.
        const r = this.#requests.get(e.ref);
        this.#add(index, 'homes_shared', r?.month ?? mo, r?.agency ?? e.agency, null, null, e.count ?? 0);
        break;
      }
      case 'refusal_e2ee':
        this.#add(index, 'e2ee_refusals', mo, e.agency, this.#demands.get(e.ref) ?? null, null, n);
        break;
    }
  }

  /** Every figure, in a fixed order; ratios are derived from the counts. */
  figures(): Figure[] {
    const out: Figure[] = [...this.#cells.values()].map((c) => ({ ...c }));
    for (const c of this.#cells.values()) {
      if (c.metric !== 'homes_reached') continue;
      const shared = this.#cells.get(keyOf('homes_shared', c.month, c.agency, null, null));
      out.push({
        metric: 'share_of_homes_that_shared', month: c.month, agency: c.agency, demand: null, outcome: null,
        value: shareOf(shared?.value ?? 0, c.value), first: Math.min(c.first, shared?.first ?? c.first), last: Math.max(c.last, shared?.last ?? c.last),
      });
    }
    return out.sort(compareFigures);
  }
}

export function figureKey(f: Pick<Figure, 'metric' | 'month' | 'agency' | 'demand' | 'outcome'>): string {
  return keyOf(f.metric, f.month, f.agency, f.demand, f.outcome);
}

function compareFigures(a: Figure, b: Figure): number {
  const ka = figureKey(a);
  const kb = figureKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
