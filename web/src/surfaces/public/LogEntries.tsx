// The log's entries, newest first, with filters and a per-entry check in the
// browser (issue 13 §4). Entries carry ids, never names: the agency's name is
// looked up in the public agency list for display only.
import { Alert, Badge, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { TableScroll } from '../../components/TableScroll';
import { formatTime } from '../../lib/format';
import { describeVerifyError } from '../../lib/ledger';
import { checkEntry, fetchEntries, type BrowsedEntry, type EntryCheck } from '../../lib/logEntries';
import { usePublicAgencies } from './publicApi';

const PAGE = 100;

export const BASIS_LABEL: Record<string, string> = {
  consent: 'Consent', warrant: 'Search warrant', emergency: 'Emergency', subpoena: 'Subpoena', court_order: 'Court order',
  preservation: 'Preservation', public_post: 'Public post', refusal_e2ee: 'Refused (end-to-end)', no_follow_up: 'No follow-up',
  request_sent: 'Request sent', request_answered: 'A home shared', decision: 'Decision', owners_notified: 'Owners told', follow_up: 'Follow-up process',
};

function CheckCell({ e }: { e: BrowsedEntry }) {
  const [state, setState] = useState<{ ok: true; check: EntryCheck } | { ok: false; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    try {
      setState({ ok: true, check: await checkEntry(e.index, e.bytes) });
    } catch (err) {
      setState({ ok: false, message: describeVerifyError(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <div aria-live="polite">
      {!state && <Button size="xs" variant="default" loading={busy} onClick={() => void run()} aria-label={`Check entry ${e.index}`}>Check</Button>}
      {state?.ok && (
        <Text size="xs" data-testid="entry-verified">
          <Badge color="green" variant="filled" size="sm">verified</Badge> signed, in the tree of {state.check.size}
          {state.check.consistentWith !== null ? `, extends the ${state.check.consistentWith} this browser saw before` : ', first checkpoint this browser saw'}
        </Text>
      )}
      {state && !state.ok && <Alert color="red" role="alert" p="xs">{state.message}</Alert>}
    </div>
  );
}

export function LogEntries({ size }: { size: number }) {
  const agencies = usePublicAgencies();
  const names = useMemo(() => new Map((agencies.data ?? []).map((a) => [a.id, a.name])), [agencies.data]);
  const pages = useInfiniteQuery({
    queryKey: ['log-entries', size],
    initialPageParam: size,
    queryFn: async ({ pageParam }) => (await fetchEntries(size, Math.max(0, pageParam - PAGE), pageParam)).reverse(),
    getNextPageParam: (_last, _all, param) => (param - PAGE > 0 ? param - PAGE : undefined),
  });
  const [agency, setAgency] = useState<string | null>(null);
  const [basis, setBasis] = useState<string | null>(null);
  const [month, setMonth] = useState<string | null>(null);
  const loaded = (pages.data?.pages ?? []).flat();
  const shown = loaded.filter((e) => (!agency || e.entry?.agency === agency) && (!basis || e.entry?.basis === basis) && (!month || e.entry?.time.startsWith(month)));
  const options = (pick: (e: BrowsedEntry) => string | null | undefined) => [...new Set(loaded.map(pick).filter((x): x is string => !!x))].sort();

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4">Entries, newest first</Title>
      <Text size="sm" mb="sm">Each entry is one disclosure, decision or count; it names agencies and reviewers by id and clips only by salted commitments. Check any entry against the signed checkpoint.</Text>
      <Group mb="sm" grow>
        <Select label="Agency" clearable value={agency} onChange={setAgency} data={options((e) => e.entry?.agency).map((a) => ({ value: a, label: names.get(a) ?? a }))} />
        <Select label="Basis" clearable value={basis} onChange={setBasis} data={options((e) => e.entry?.basis).map((b) => ({ value: b, label: BASIS_LABEL[b] ?? b }))} />
        <Select label="Month" clearable value={month} onChange={setMonth} data={options((e) => e.entry?.time.slice(0, 7)).reverse()} />
      </Group>
      {pages.isError && <Alert color="red" role="alert">The entries could not be loaded: {describeVerifyError(pages.error)}</Alert>}
      <TableScroll minWidth={760} label="Log entries">
        <Table>
          <Table.Thead><Table.Tr><Table.Th>Index</Table.Th><Table.Th>Basis</Table.Th><Table.Th>Agency</Table.Th><Table.Th>Time</Table.Th><Table.Th>Reviewers</Table.Th><Table.Th>Check</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {shown.map((e) => (
              <Table.Tr key={e.index} data-testid="log-entry">
                <Table.Td className="mono">{e.index}</Table.Td>
                <Table.Td>{e.entry ? `${BASIS_LABEL[e.entry.basis] ?? e.entry.basis}${e.entry.outcome ? `: ${e.entry.outcome}` : ''}${e.entry.count !== undefined ? ` (${e.entry.count})` : ''}` : 'malformed'}</Table.Td>
                <Table.Td>{e.entry?.agency ? names.get(e.entry.agency) ?? e.entry.agency : '—'}</Table.Td>
                <Table.Td>{e.entry ? formatTime(e.entry.time) : '—'}</Table.Td>
                <Table.Td className="mono">{e.entry?.reviewers.map((r) => r.slice(0, 8)).join(', ') || '—'}</Table.Td>
                <Table.Td><CheckCell e={e} /></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <Stack mt="sm" align="flex-start">
        {shown.length === 0 && !pages.isPending && <Text size="sm">No entry among the {loaded.length} loaded matches.</Text>}
        {pages.hasNextPage && <Button variant="default" onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>Load older entries</Button>}
      </Stack>
    </Paper>
  );
}
