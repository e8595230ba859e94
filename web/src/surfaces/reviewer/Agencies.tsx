// Agencies, for reviewers: create and verify an agency with its jurisdiction
// (drawn on the map, or a centre and radius), and invite its members. A new
// member's initial password is shown once; they must enrol TOTP first.
import { Alert, Anchor, Button, Code, Container, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useForm } from '@mantine/form';
import { lazy, Suspense, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { applyServerErrors } from '../../lib/forms';
import type { LatLon } from '../../components/MapView';
import { Empty, Loading, QueryState } from '../../components/States';
import { areaSqMi, circleRing, toPolygon } from '../../lib/area';

const DrawAreaMap = lazy(() => import('../../components/DrawAreaMap').then((m) => ({ default: m.DrawAreaMap })));

type AgencyType = 'law_enforcement' | 'fire' | 'ems' | 'other_public_safety';
const TYPES: { value: AgencyType; label: string }[] = [
  { value: 'law_enforcement', label: 'Law enforcement' },
  { value: 'fire', label: 'Fire' },
  { value: 'ems', label: 'Emergency medical services' },
  { value: 'other_public_safety', label: 'Other public safety' },
];

export function AgenciesAdminPage() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['staff-agencies'], queryFn: () => unwrap(api.GET('/api/v1/agencies')) });
  const [name, setName] = useState('');
  const [type, setType] = useState<AgencyType>('law_enforcement');
  const [description, setDescription] = useState('');
  const [ring, setRing] = useState<LatLon[]>([]);
  const [centre, setCentre] = useState<{ lat: number | ''; lon: number | ''; radiusKm: number | '' }>({ lat: '', lon: '', radiusKm: 3 });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/agencies', { body: { name, type, description, jurisdiction: toPolygon(ring) } })),
    onSuccess: () => {
      setName('');
      setRing([]);
      void qc.invalidateQueries({ queryKey: ['staff-agencies'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name && ring.length >= 3) create.mutate();
  };
  return (
    <Container size="lg">
      <Title order={1} mb="md">Agencies</Title>
      <QueryState q={list} empty={(l) => (l.length ? null : <Empty title="No agencies yet" />)}>
        {(items) => (
          <TableScroll minWidth={480}>
            <Table striped mb="lg">
              <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>Type</Table.Th><Table.Th>Jurisdiction</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {items.map((a) => (
                  <Table.Tr key={a.id}>
                    <Table.Td><Link to={`/review/agencies/${a.id}`}>{a.name}</Link></Table.Td>
                    <Table.Td>{a.type.replace(/_/g, ' ')}</Table.Td>
                    <Table.Td>{a.jurisdictionAreaKm2.toFixed(1)} km²</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </QueryState>
      <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Create an agency">
        <Title order={2} size="h3" mb="sm">Create and verify an agency</Title>
        <Stack>
          {create.isError && <Alert color="red" role="alert">{create.error.message}</Alert>}
          {create.isSuccess && <Alert color="green" role="status">Agency created.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Agency name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
            <Select label="Agency type" data={TYPES} value={type} onChange={(v) => v && setType(v as AgencyType)} allowDeselect={false} />
          </SimpleGrid>
          <Textarea label="Public profile" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Text size="sm" fw={500}>Jurisdiction: draw it, or give a centre and radius</Text>
          <Suspense fallback={<Loading label="Loading the map…" />}>
            <DrawAreaMap label="Map: draw the jurisdiction" ring={ring} onChange={setRing} />
          </Suspense>
          <Group grow align="flex-end">
            <NumberInput label="Jurisdiction centre latitude" decimalScale={6} value={centre.lat} onChange={(v) => setCentre({ ...centre, lat: v === '' ? '' : Number(v) })} />
            <NumberInput label="Jurisdiction centre longitude" decimalScale={6} value={centre.lon} onChange={(v) => setCentre({ ...centre, lon: v === '' ? '' : Number(v) })} />
            <NumberInput label="Radius (km)" min={0.5} max={50} decimalScale={2} value={centre.radiusKm} onChange={(v) => setCentre({ ...centre, radiusKm: v === '' ? '' : Number(v) })} />
          </Group>
          <Button variant="default" w="fit-content" onClick={() => centre.lat !== '' && centre.lon !== '' && centre.radiusKm !== '' && setRing(circleRing({ lat: centre.lat, lon: centre.lon }, centre.radiusKm * 1000, 32))}>
            Use centre and radius
          </Button>
          <Text size="sm" aria-live="polite">Jurisdiction area: {(areaSqMi(ring) * 2.589988).toFixed(1)} km²</Text>
          <Button type="submit" loading={create.isPending} disabled={!name || ring.length < 3} w="fit-content">Create agency</Button>
        </Stack>
      </Paper>
    </Container>
  );
}

export function AgencyAdminPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const agency = useQuery({ queryKey: ['staff-agencies', id], queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}', { params: { path: { id } } })) });
  const members = useQuery({ queryKey: ['staff-agencies', id, 'members'], queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/members', { params: { path: { id } } })) });
  const form = useForm({
    initialValues: { email: '', displayName: '' },
    validate: { email: (v) => (v.trim() ? null : 'Enter the member\'s e-mail'), displayName: (v) => (v.trim() ? null : 'Enter the member\'s name') },
  });
  const invite = useMutation({
    mutationFn: (body: { email: string; displayName: string }) => unwrap(api.POST('/api/v1/agencies/{id}/members', { params: { path: { id } }, body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['staff-agencies', id, 'members'] }),
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Container size="md">
      <Anchor component={Link} to="/review/agencies" size="sm">← Agencies</Anchor>
      <QueryState q={agency}>
        {(a) => (
          <Stack mt="sm">
            <Title order={1}>{a.name}</Title>
            <Text>{a.type.replace(/_/g, ' ')} · {a.jurisdictionAreaKm2.toFixed(1)} km² · <span className="mono">{a.id}</span></Text>
            <Title order={2} size="h3">Members</Title>
            <QueryState q={members} empty={(l) => (l.length ? null : <Empty title="No members yet" />)}>
              {(list) => (
                <Table striped>
                  <Table.Thead><Table.Tr><Table.Th>Name</Table.Th><Table.Th>E-mail</Table.Th><Table.Th>Two-factor</Table.Th></Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {list.map((m) => (
                      <Table.Tr key={m.id}><Table.Td>{m.displayName}</Table.Td><Table.Td>{m.email}</Table.Td><Table.Td>{m.totpEnabled ? 'on' : 'not yet'}</Table.Td></Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </QueryState>
            <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => invite.mutate(v))} noValidate aria-label="Invite a member">
              <Stack>
                {invite.isError && <Alert color="red" role="alert">{invite.error.message}</Alert>}
                {invite.data && (
                  <Alert color="indigo" title="Initial password (shown once)">
                    <Text size="sm">Give it to {invite.data.user.email} in person or by phone. They set up two-factor sign-in at first sign-in.</Text>
                    <Code className="mono" data-testid="initial-password">{invite.data.initialPassword}</Code>
                  </Alert>
                )}
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput label="Member e-mail" type="email" required {...form.getInputProps('email')} />
                  <TextInput label="Member name" required {...form.getInputProps('displayName')} />
                </SimpleGrid>
                <Button type="submit" loading={invite.isPending} w="fit-content">Invite member</Button>
              </Stack>
            </Paper>
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}

