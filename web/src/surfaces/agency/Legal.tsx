// Legal demands: the intake form (type, issuing authority, case number, the
// PDF, an optional nondisclosure-order end date, and a scope of an address
// within 100 m or named cameras, with time ranges totalling at most 31 days)
// and the status of each demand with the reviewer's reasons.
import { Alert, Button, Container, FileInput, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, send, unwrap } from '../../api/client';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { formatTime, toLocalInput } from '../../lib/format';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
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

type Values = {
  type: string; issuingAuthority: string; caseNumber: string; nondisclosureUntil: string; document: File | null;
  lat: number | ''; lon: number | ''; radiusM: number | ''; from: string; to: string;
};
const radiusRule = (r: number | '') => (r === '' || r > 100 ? 'At most 100 m.' : null);
const rangeRule = (from: string, to: string) => {
  const days = (new Date(to).getTime() - new Date(from).getTime()) / 86_400_000;
  return !(days > 0) ? 'The range must end after it starts.' : days > MAX_DAYS ? `At most ${MAX_DAYS} days in total.` : null;
};
// The scope is sent as one JSON field; the form keeps its parts flat (src/legal/policy.ts names them).
const RENAME: Record<string, string> = {
  'scope.address': 'lat', 'scope.address.radiusM': 'radiusM', 'scope.ranges': 'to', 'scope.ranges.0': 'to',
};

export function LegalPage() {
  const id = useAgencyId();
  const qc = useQueryClient();
  const demands = useQuery({ queryKey: ['legal-demands', id], enabled: !!id, queryFn: () => list(id!) });
  const form = useForm<Values>({
    initialValues: (() => {
      const now = Date.now();
      return {
        type: 'search_warrant', issuingAuthority: '', caseNumber: '', nondisclosureUntil: '', document: null,
        lat: '', lon: '', radiusM: 50,
        from: toLocalInput(new Date(now - 24 * 3600_000)), to: toLocalInput(new Date(now - 5 * 60_000)),
      };
    })(),
    validate: {
      issuingAuthority: (v) => (v.trim() ? null : 'Name the court or authority'),
      caseNumber: (v) => (v.trim() ? null : 'Give the case number'),
      document: (v) => (v ? null : 'Attach the PDF'),
      lat: (v) => (v === '' ? 'Enter the latitude' : null),
      lon: (v) => (v === '' ? 'Enter the longitude' : null),
      radiusM: radiusRule,
      to: (v, all) => rangeRule(all.from, v),
    },
  });
  const v = form.values;
  // The range and radius rules show as soon as they are broken; the other fields' on submit, or from the server.
  const rangeProblem = form.errors.to ?? rangeRule(v.from, v.to);
  const radiusProblem = form.errors.radiusM ?? radiusRule(v.radiusM);

  const submit = useMutation({
    mutationFn: (x: Values) => {
      const fd = new FormData();
      fd.set('type', x.type);
      fd.set('issuingAuthority', x.issuingAuthority);
      fd.set('caseNumber', x.caseNumber);
      if (x.nondisclosureUntil) fd.set('nondisclosureUntil', new Date(x.nondisclosureUntil).toISOString());
      fd.set('scope', JSON.stringify({
        address: { lat: Number(x.lat), lon: Number(x.lon), radiusM: Number(x.radiusM) },
        ranges: [{ from: new Date(x.from).toISOString(), to: new Date(x.to).toISOString() }],
      }));
      // The file goes last: the server streams it after reading the fields.
      fd.set('document', x.document!);
      return send<Demand>('POST', `/api/v1/agencies/${id}/legal-demands`, fd);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['legal-demands'] }),
    onError: (err) => void applyServerErrors(form, err, RENAME),
  });

  return (
    <Container size="lg">
      <Title order={1}>Legal demands</Title>
      <Text my="sm">Only a search warrant, or the owner&apos;s consent, releases video. A reviewer checks each demand and approves, narrows or rejects it with written reasons. Owners are told before anything is released unless a nondisclosure order applies.</Text>
      <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((x) => submit.mutate(x))} noValidate aria-label="Submit a legal demand">
        <Stack>
          {submit.isError && !shownOnFields(form, submit.error, RENAME) && <Alert color="red" role="alert" title="Not accepted">{submit.error.message}</Alert>}
          {submit.isSuccess && <Alert color="green" role="status">Submitted for review.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NativeSelect label="Type" data={TYPES} {...form.getInputProps('type')} />
            <TextInput label="Issuing court or authority" required {...form.getInputProps('issuingAuthority')} />
            <TextInput label="Case number" required {...form.getInputProps('caseNumber')} />
            <TextInput label="Nondisclosure order ends (optional)" type="date" {...form.getInputProps('nondisclosureUntil')} />
          </SimpleGrid>
          <FileInput label="The document (PDF, at most 20 MB)" required accept="application/pdf" {...form.getInputProps('document')} clearable clearButtonProps={{ "aria-label": "Remove the chosen file" }} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label="Address latitude" required decimalScale={6} {...form.getInputProps('lat')} />
            <NumberInput label="Address longitude" required decimalScale={6} {...form.getInputProps('lon')} />
            <NumberInput label="Radius (m, at most 100)" required min={1} max={100} {...form.getInputProps('radiusM')} error={radiusProblem} />
          </SimpleGrid>
          <Group grow>
            <TextInput type="datetime-local" label="From" required {...form.getInputProps('from')} />
            <TextInput type="datetime-local" label="To" required {...form.getInputProps('to')} error={rangeProblem} />
          </Group>
          <Button type="submit" loading={submit.isPending} disabled={!id} w="fit-content">Submit for review</Button>
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
