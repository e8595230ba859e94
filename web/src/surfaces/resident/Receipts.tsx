// Receipts: one per log entry about my clips, each with a "verify" action that
// checks the signature, the inclusion proof and the clip commitments in the
// browser with the same pure module the CLI uses (src/ledger/verify.ts).
import { Alert, Badge, Button, Card, Code, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Empty, QueryState } from '../../components/States';
import { formatTime } from '../../lib/format';
import { checkReceipt, describeVerifyError } from '../../lib/ledger';

type Receipt = Awaited<ReturnType<typeof load>>['receipts'][number];
const load = () => unwrap(api.GET('/api/v1/me/receipts'));

const BASIS: Record<string, string> = {
  consent: 'Shared by you',
  warrant: 'Search warrant',
  emergency: 'Emergency (two reviewers)',
  subpoena: 'Subpoena',
  court_order: 'Court order',
  preservation: 'Preservation hold',
  public_post: 'Posted publicly by you',
  refusal_e2ee: 'Refused: end-to-end encrypted',
  no_follow_up: 'No follow-up',
  owners_notified: 'Owners told',
};

export function ReceiptsPage() {
  const receipts = useQuery({ queryKey: ['receipts'], queryFn: load });
  return (
    <Container size="md">
      <Title order={1}>Receipts</Title>
      <Text my="sm">Each disclosure or preservation of your clips is an entry in the public log. A receipt proves the entry is in the log; verify it here, or download it and verify it offline with "porchlight log verify --receipt FILE --key VKEY".</Text>
      <QueryState q={receipts} empty={(d) => (d.receipts.length || d.pending ? null : <Empty title="No receipts">None of your clips has been disclosed or preserved.</Empty>)}>
        {(d) => (
          <Stack>
            {d.pending > 0 && <Alert color="indigo" role="status">{d.pending} entr{d.pending === 1 ? 'y is' : 'ies are'} waiting to be added to the log; receipts appear within seconds.</Alert>}
            {d.receipts.map((r) => <ReceiptCard key={r.index} receipt={r} />)}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}

/** The receipt as a file that `porchlight log verify --receipt FILE --key VKEY` checks offline. */
function receiptFile(receipt: Receipt): string {
  return `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(receipt, null, 2))}`;
}

function ReceiptCard({ receipt }: { receipt: Receipt }) {
  const [state, setState] = useState<{ ok: true; size: number } | { ok: false; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  let entry: { basis?: string; time?: string; agency?: string | null } = {};
  try {
    entry = JSON.parse(receipt.entry) as typeof entry;
  } catch {
    /* shown as unknown; verify will say why */
  }
  async function verify() {
    setBusy(true);
    try {
      const v = await checkReceipt(receipt);
      setState({ ok: true, size: v.checkpoint.size });
    } catch (err) {
      setState({ ok: false, message: describeVerifyError(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card withBorder data-testid="receipt">
      <Group justify="space-between" align="flex-start">
        <div>
          <Text fw={600}>{BASIS[entry.basis ?? ''] ?? entry.basis ?? 'Unknown entry'}</Text>
          <Text size="sm">{entry.time ? formatTime(entry.time) : ''} · log entry #{receipt.index} · {receipt.clips.length} clip{receipt.clips.length === 1 ? '' : 's'}</Text>
        </div>
        <Group gap="xs">
          <Button component="a" href={receiptFile(receipt)} download={`porchlight-receipt-${receipt.index}.json`} variant="default">Download</Button>
          <Button onClick={() => void verify()} loading={busy} variant="default">Verify</Button>
        </Group>
      </Group>
      <div aria-live="polite">
        {state?.ok && (
          <Group gap="xs" mt="sm">
            <Badge color="green" variant="filled">verified</Badge>
            <Text size="sm">Signed by the log, included in its tree of {state.size} entries, and it commits to your clip{receipt.clips.length === 1 ? '' : 's'}.</Text>
          </Group>
        )}
        {state && !state.ok && <Alert color="red" role="alert" mt="sm" title="Not verified">{state.message}</Alert>}
      </div>
      <details style={{ marginTop: 8 }}>
        <summary>Entry as logged</summary>
        <Code block className="mono">{receipt.entry}</Code>
      </details>
    </Card>
  );
}
