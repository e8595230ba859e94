// The transparency report over the log as it grows (issue 13). The tally
// folds in only the entries integrated since it last ran, so a request never
// rescans the log; the published form is rebuilt once per checkpoint. Each
// node keeps its own tally: the log is the one source, so every node answers
// the same figures for the same checkpoint.
import type { AppContext } from '../platform/context.ts';
import { parseEntry } from '../ledger/entry.ts';
import { toBase64 } from '../ledger/primitives.ts';
import { entriesByIndex, latestCheckpoint } from '../ledger/repository.ts';
import { REPORT_VERSION, type PublishedReport, toCsv } from './published.ts';
import { ReportTally } from './report.ts';

/** Entries read per query while catching up. */
const PAGE = 5_000;

export class TransparencyService {
  readonly #ctx: AppContext;
  readonly #tally = new ReportTally();
  #published: { report: PublishedReport; csv: string | null } | null = null;
  /** One catch-up at a time: concurrent requests wait for the same fold. */
  #running: Promise<unknown> = Promise.resolve();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** The report at the latest checkpoint, folding in what was integrated since the last call. */
  async report(): Promise<PublishedReport> {
    const next = this.#running.then(() => this.#catchUp());
    this.#running = next.catch(() => undefined);
    return next;
  }

  async csv(): Promise<{ report: PublishedReport; csv: string }> {
    const report = await this.report();
    const p = this.#published!;
    p.csv ??= toCsv(p.report);
    return { report, csv: p.csv };
  }

  async #catchUp(): Promise<PublishedReport> {
    const db = this.#ctx.db.kysely;
    const cp = await latestCheckpoint(db);
    const size = cp?.size ?? 0;
    if (this.#published && this.#published.report.log.size === size) return this.#published.report;
    while (this.#tally.size < size) {
      const from = this.#tally.size;
      const rows = await entriesByIndex(db, from, Math.min(size, from + PAGE));
      if (rows.length === 0) throw new Error(`the log has no entry ${from} below its checkpoint size ${size}`);
      for (const r of rows) this.#tally.fold(r.idx, parseEntry(r.entry));
    }
    // C2SP tlog-checkpoint: the first line of the note is the origin.
    const origin = cp ? cp.note.slice(0, cp.note.indexOf('\n')) : '';
    const report: PublishedReport = {
      version: REPORT_VERSION,
      log: { origin, size, root: cp ? toBase64(cp.root) : '', checkpoint: cp?.note ?? '' },
      figures: this.#tally.figures(),
    };
    this.#published = { report, csv: null };
    return report;
  }
}
