// Reading the transparency report's figures for the pages: sums over the
// dimensions a page shows. The figures themselves come from the log
// (src/transparency/report.ts); nothing here computes a count of its own.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';

const loadReport = () => unwrap(api.GET('/transparency/report.json'));
export type Report = Awaited<ReturnType<typeof loadReport>>;
export type Figure = Report['figures'][number];
export type Metric = Figure['metric'];

export const useReport = () => useQuery({ queryKey: ['transparency-report'], queryFn: loadReport });

type Where = Partial<Pick<Figure, 'agency' | 'demand' | 'outcome' | 'month'>>;

export function total(figures: readonly Figure[], metric: Metric, where: Where = {}): number {
  let n = 0;
  for (const f of figures) {
    if (f.metric !== metric) continue;
    if (Object.entries(where).some(([k, v]) => f[k as keyof Where] !== v)) continue;
    n += f.value;
  }
  return n;
}

/** The share of reached homes that shared, over the figures selected (recomputed from the two counts, not averaged). */
export function share(figures: readonly Figure[], where: Where = {}): number | null {
  const reached = total(figures, 'homes_reached', where);
  return reached === 0 ? null : total(figures, 'homes_shared', where) / reached;
}

export const months = (figures: readonly Figure[]) => [...new Set(figures.map((f) => f.month))].sort();
export const agenciesIn = (figures: readonly Figure[]) => [...new Set(figures.map((f) => f.agency).filter((a): a is string => a !== null))].sort();

export const DEMAND_LABEL: Record<string, string> = {
  warrant: 'Search warrant', subpoena: 'Subpoena', court_order: 'Court order', preservation: 'Preservation', emergency: 'Emergency',
  consent: 'Consent', public_post: 'Public post',
};
export const percent = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
