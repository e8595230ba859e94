// Legal demands: the intake form (type, issuing authority, case number, the
// PDF, an optional nondisclosure-order end date, and a scope of an address
// within 100 m or named cameras, with time ranges totalling at most 31 days)
// and the status of each demand with the reviewer's reasons.
import { Alert, Button, Container, FileInput, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { api, send, unwrap } from '../../api/client';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { formatTime, toLocalInput } from '../../lib/format';
import { useAgencyId } from './agencyApi';

const TYPES = [
  { value: 'search_warrant', label: 'Search warrant (may release video content)' },
  { value: 'court_order', label: 'Court order (non-content records only)' },
  { value: 'subpoena', label: 'Subpoena (non-content records only)' },
  { value: 'preservation', label: 'Preservation request (90-day hold, releases nothing)' },
];
const MAX_DAYS = 31;

type Demand = Awaited<ReturnType<typeof list>>[number];
const list = (agencyId: string) => unwrap(api.GET('/api/v1/agencies/{id}/legal-demands', { params: { path: { id: agencyId } } }));

export function LegalPage() {
  const id = useAgencyId();
  const qc = useQueryClient();
  const demands = useQuery({ queryKey: ['legal-demands', id], enabled: !!id, queryFn: () => list(id!) });
  const now = useMemo(() => new Date(), []);
  const [type, setType] = useState('search_warrant');
  const [issuingAuthority, setAuthority] = useState('');
  const [caseNumber, setCase] = useState('');
  const [ndo, setNdo] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [where, setWhere] = useState<{ lat: number | ''; lon: number | ''; radiusM: number | '' }>({ lat: '', lon: '', radiusM: 50 });
  const [from, setFrom] = useState(toLocalInput(new Date(now.getTime() - 24 * 3600_000)));
  const [to, setTo] = useState(toLocalInput(new Date(now.getTime() - 5 * 60_000)));
  const days = (new Date(to).getTime() - new Date(from).getTime()) / 86_400_000;
  const rangeProblem = !(days > 0) ? 'The range must end after it starts.' : days > MAX_DAYS ? `At most ${MAX_DAYS} days in total.` : null;
  const radiusProblem = where.radiusM === '' || where.radiusM > 100 ? 'At most 100 m.' : null;

  const submit = useMutation({
    mutationFn: () => {
      const fd = new FormData();
      fd.set('type', type);
      fd.set('issuingAuthority', issuingAuthority);
      fd.set('caseNumber', caseNumber);
      if (ndo) fd.set('nondisclosureUntil', new Date(ndo).toISOString());
      fd.set('scope', JSON.stringify({
        address: { lat: Number(where.lat), lon: Number(where.lon), radiusM: Number(where.radiusM) },
        ranges: [{ from: new Date(from).toISOString(), to: new Date(to).toISOString() }],
      }));
      // The file goes last: the server streams it after reading the fields.
      fd.set('document', file!);
      return send<Demand>('POST', `/api/v1/agencies/${id}/legal-demands`, fd);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['legal-demands'] }),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (file && !rangeProblem && !radiusProblem) submit.mutate();
  };

  return (
    <Container size="lg">
      <Title order={1}>Legal demands</Title>
      <Text my="sm">Only a search warrant, or the owner&apos;s consent, releases video. A reviewer checks each demand and approves, narrows or rejects it with written reasons. Owners are told before anything is released unless a nondisclosure order applies.</Text>
      <Paper withBorder p="md" component="form" onSubmit={onSubmit} aria-label="Submit a legal demand">
        <Stack>
          {submit.isError && <Alert color="red" role="alert" title="Not accepted">{submit.error.message}</Alert>}
          {submit.isSuccess && <Alert color="green" role="status">Submitted for review.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect label="Type" data={TYPES} value={type} onChange={(e) => setType(e.currentTarget.value)} />
            <TextInput label="Issuing court or authority" required value={issuingAuthority} onChange={(e) => setAuthority(e.currentTarget.value)} />
            <TextInput label="Case number" required value={caseNumber} onChange={(e) => setCase(e.currentTarget.value)} />
            <TextInput label="Nondisclosure order ends (optional)" type="date" value={ndo} onChange={(e) => setNdo(e.currentTarget.value)} />
          </SimpleGrid>
          <FileInput label="The document (PDF, at most 20 MB)" required accept="application/pdf" value={file} onChange={setFile} clearable clearButtonProps={{ "aria-label": "Remove the chosen file" }} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label="Address latitude" required decimalScale={6} value={where.lat} onChange={(v) => setWhere({ ...where, lat: v === '' ? '' : Number(v) })} />
            <NumberInput label="Address longitude" required decimalScale={6} value={where.lon} onChange={(v) => setWhere({ ...where, lon: v === '' ? '' : Number(v) })} />
            <NumberInput label="Radius (m, at most 100)" required min={1} max={100} error={radiusProblem} value={where.radiusM} onChange={(v) => setWhere({ ...where, radiusM: v === '' ? '' : Number(v) })} />
          </SimpleGrid>
          <Group grow>
            <TextInput type="datetime-local" label="From" required value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
            <TextInput type="datetime-local" label="To" required value={to} error={rangeProblem} onChange={(e) => setTo(e.currentTarget.value)} />
          </Group>
          <Button type="submit" loading={submit.isPending} disabled={!id || !file || !!rangeProblem || !!radiusProblem} w="fit-content">Submit for review</Button>
        </Stack>
      </Paper>
      <Title order={2} size="h3" mt="xl" mb="sm">Status</Title>
      <QueryState q={demands} empty={(l) => (l.length ? null : <Empty title="No legal demands" />)}>
        {(items) => (
          <TableScroll minWidth={600}>
            <Table striped>
              <Table.Thead>
                <Table.Tr><Table.Th>Submitted</Table.Th><Table.Th>Type</Table.Th><Table.Th>Case</Table.Th><Table.Th>Review</Table.Th><Table.Th>Status</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>{formatTime(d.createdAt)}</Table.Td>
                    <Table.Td>{d.type.replace(/_/g, ' ')}</Table.Td>
                    <Table.Td>{d.caseNumber}</Table.Td>
                    <Table.Td>{d.review ? `${d.review.decision}: ${d.review.reason}` : 'waiting'}{d.hold ? ` · hold until ${formatTime(d.hold.until)}` : ''}
                      {d.type === 'search_warrant' && d.status === 'approved' && id && <WarrantEvidence agencyId={id} demandId={d.id} />}
                      {d.refused && <Text size="sm" data-testid="refused-e2ee">{d.refused.clips} end-to-end encrypted clip{d.refused.clips === 1 ? '' : 's'} in scope not released ({d.refused.reason}); the refusal is on the public log.</Text>}
                    </Table.Td>
                    <Table.Td><StatusBadge status={d.status} /></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </QueryState>
    </Container>
  );
}

/** What an approved warrant released: the count, and the evidence ZIP once there is anything in it. */
function WarrantEvidence({ agencyId, demandId }: { agencyId: string; demandId: string }) {
  const evidence = useQuery({
    queryKey: ['legal-evidence', demandId],
    queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/legal-demands/{itemId}/evidence', { params: { path: { id: agencyId, itemId: demandId } } })),
  });
  const n = evidence.data?.length ?? 0;
  if (n === 0) return null;
  return (
    <Group gap="xs" mt={4}>
      <Text size="sm">{n} clip{n === 1 ? '' : 's'} released</Text>
      <Button component="a" href={`/api/v1/agencies/${agencyId}/legal-demands/${demandId}/evidence.zip`} download size="compact-xs" variant="default" data-testid="warrant-evidence-zip">
        Download evidence ZIP
      </Button>
    </Group>
  );
}
