// The public log page: the latest signed checkpoint (size, age, root) and a
// "verify in your browser" action that fetches every tile and entry bundle
// and recomputes the root with the same pure module the CLI uses.
import { Alert, Badge, Button, Code, Container, Group, List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchText } from '../../api/client';
import { ErrorState, Loading } from '../../components/States';
import { age } from '../../lib/format';
import { describeVerifyError, logVerifier, newestEntryTime, rootBase64, verifyWholeLog, type LogVerification } from '../../lib/ledger';
import { parseCheckpointText, statedCosignatures } from './checkpointText';
import { LogEntries } from './LogEntries';

type Run = { state: 'idle' } | { state: 'running'; fetched: number } | { state: 'ok'; result: LogVerification; at: number } | { state: 'failed'; message: string };

export default function LogPage() {
  const checkpoint = useQuery({ queryKey: ['log-checkpoint'], queryFn: () => fetchText('/log/checkpoint') });
  const key = useQuery({ queryKey: ['log-key'], queryFn: logVerifier });
  const [run, setRun] = useState<Run>({ state: 'idle' });

  async function verify() {
    let fetched = 0;
    setRun({ state: 'running', fetched });
    try {
      const result = await verifyWholeLog(() => setRun({ state: 'running', fetched: ++fetched }));
      setRun({ state: 'ok', result, at: Date.now() });
    } catch (err) {
      setRun({ state: 'failed', message: describeVerifyError(err) });
    }
  }

  const parsed = checkpoint.data ? parseCheckpointText(checkpoint.data) : null;
  const cosigned = checkpoint.data && parsed ? statedCosignatures(checkpoint.data, parsed.origin) : [];
  const newest = useQuery({ queryKey: ['log-newest', parsed?.size], queryFn: () => newestEntryTime(parsed!.size), enabled: parsed !== null });
  const ageText = !parsed ? '—' : parsed.size === 0 ? 'no entries yet' : newest.data ? `${age(newest.data)} ago` : newest.isError ? 'unknown' : '…';
  return (
    <Container size="md">
      <Title order={1}>Disclosure log</Title>
      <Text mt="xs" mb="md">
        Every disclosure of a clip (consented, warranted or emergency) and every preservation is an entry in this public, append-only Merkle log
        (RFC 9162, C2SP tlog-tiles). Entries carry no names or addresses. Anyone can check that the log only grows and that it leads to the signed checkpoint below.
      </Text>
      {checkpoint.isPending ? (
        <Loading label="Loading the latest checkpoint…" />
      ) : checkpoint.isError ? (
        <ErrorState error={checkpoint.error} retry={() => void checkpoint.refetch()} title="The checkpoint could not be loaded" />
      ) : (
        <Stack>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">Latest checkpoint</Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <div>
                <Text size="sm" c="dimmed">Entries</Text>
                <Text fw={700} size="xl" data-testid="log-size">{parsed?.size ?? '—'}</Text>
              </div>
              <div>
                <Text size="sm" c="dimmed">Newest entry</Text>
                <Text fw={700} size="xl" data-testid="log-age">{ageText}</Text>
              </div>
              <div>
                <Text size="sm" c="dimmed">Log</Text>
                <Text fw={500} className="mono">{parsed?.origin ?? '—'}</Text>
              </div>
            </SimpleGrid>
            <Text size="sm" c="dimmed" mt="sm">Root hash</Text>
            <Text className="mono" size="sm">{parsed?.root ?? '—'}</Text>
            <Text size="sm" c="dimmed" mt="sm">Witnesses</Text>
            <div data-testid="log-witnesses">
              {cosigned.length === 0 ? (
                <Text size="sm">No witness has cosigned this checkpoint.</Text>
              ) : (
                <List size="sm" spacing={2}>
                  {cosigned.map((c, i) => (
                    <List.Item key={`${i} ${c.name}`}><span className="mono">{c.name}</span> cosigned it {age(c.time)} ago</List.Item>
                  ))}
                </List>
              )}
              <Text size="xs" c="dimmed" mt={4}>
                Independent witnesses (C2SP tlog-witness) check that the log only grows before they cosign, so the log cannot show different histories to
                different people. What they state is shown here as written; check it with keys you got from each witness itself:
                <span className="mono"> porchlight log verify --witness VKEY --min-witnesses N</span>.
              </Text>
            </div>
            <details style={{ marginTop: 12 }}>
              <summary>Signed checkpoint text and the log&apos;s public key</summary>
              <Code block mt="xs" className="mono">{checkpoint.data}</Code>
              <Code block mt="xs" className="mono">{key.data?.vkey ?? (key.isError ? 'the key could not be loaded' : '…')}</Code>
            </details>
          </Paper>

          <Paper withBorder p="md">
            <Group justify="space-between" align="flex-start">
              <div>
                <Title order={2} size="h4">Verify in your browser</Title>
                <Text size="sm" mt={4}>Fetches every tile and entry, recomputes every hash and checks the signature. Nothing the server says is trusted without the check.</Text>
              </div>
              <Button onClick={() => void verify()} loading={run.state === 'running'} disabled={key.isError}>Verify in your browser</Button>
            </Group>
            <div aria-live="polite" style={{ marginTop: 12 }}>
              {run.state === 'running' && <Text size="sm">Fetched {run.fetched} files…</Text>}
              {run.state === 'ok' && (
                <Alert color="green" title="Verified" data-testid="verify-ok">
                  <List size="sm" spacing={2}>
                    <List.Item>Signature by {run.result.checkpoint.origin}: valid</List.Item>
                    <List.Item>{run.result.leaves} entries, {run.result.tiles} tiles recomputed</List.Item>
                    <List.Item>
                      Root <span className="mono">{rootBase64(run.result.checkpoint.root)}</span> <Badge color="green" variant="filled">matches</Badge>
                    </List.Item>
                  </List>
                </Alert>
              )}
              {run.state === 'failed' && (
                <Alert color="red" title="Verification failed" role="alert" data-testid="verify-failed">
                  {run.message}
                </Alert>
              )}
            </div>
          </Paper>
          {parsed && parsed.size > 0 && <LogEntries size={parsed.size} />}
        </Stack>
      )}
    </Container>
  );
}
