// Emergency requests: the form (officer, confirmed callback number, the
// emergency, why danger of death or serious injury is imminent, why legal
// process cannot be had in time, an address within 100 m or named cameras, at
// most 6 hours), and the status of each, which two reviewers decide.
import { Alert, Button, Card, Container, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { circleRing } from '../../lib/area';
import { formatTime, toLocalInput } from '../../lib/format';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { api, unwrap } from '../../api/client';
import { ClipPlayer } from '../../components/ClipPlayer';
import { createEmergency, listEmergencies, useAgencyId, type EmergencyRequest } from './agencyApi';

const MAX_MS = 6 * 3600_000;

type Values = {
  officerName: string; callbackPhone: string; nature: string; imminentDanger: string; whyNoProcess: string;
  lat: number | ''; lon: number | ''; radiusM: number | ''; from: string; to: string;
};
const radiusRule = (r: number | '') => (r === '' || r > 100 ? 'The radius is at most 100 m.' : null);
const windowRule = (from: string, to: string) => {
  const span = new Date(to).getTime() - new Date(from).getTime();
  return !(span > 0) ? 'The window must end after it starts.' : span > MAX_MS ? 'An emergency window is at most 6 hours.' : null;
};
const required = (message: string) => (v: string) => (v.trim() ? null : message);
// The body nests the address and window under "scope"; the form keeps them flat.
const RENAME: Record<string, string> = {
  'scope.address.lat': 'lat', 'scope.address.lon': 'lon', 'scope.address.radiusM': 'radiusM',
  'scope.ranges': 'to', 'scope.ranges.0.from': 'from', 'scope.ranges.0.to': 'to',
};

export function EmergencyPage() {
  const id = useAgencyId();
  const qc = useQueryClient();
  const items = useQuery({ queryKey: ['emergencies', id], enabled: !!id, queryFn: () => listEmergencies(id!) });
  const form = useForm<Values>({
    initialValues: (() => {
      const now = Date.now();
      return {
        officerName: '', callbackPhone: '', nature: '', imminentDanger: '', whyNoProcess: '',
        lat: '', lon: '', radiusM: 50,
        from: toLocalInput(new Date(now - 2 * 3600_000)), to: toLocalInput(new Date(now - 10 * 60_000)),
      };
    })(),
    validate: {
      officerName: required('Name the requesting officer'),
      callbackPhone: required('Give a number a reviewer can call back'),
      nature: required('Describe the emergency'),
      imminentDanger: required('Say why the danger is imminent'),
      whyNoProcess: required('Say why legal process cannot be obtained in time'),
      lat: (v) => (v === '' ? 'Click the map or enter the latitude' : null),
      lon: (v) => (v === '' ? 'Enter the longitude too' : null),
      radiusM: radiusRule,
      to: (v, all) => windowRule(all.from, v),
    },
  });
  const v = form.values;
  const create = useMutation({
    mutationFn: (x: Values) =>
      createEmergency(id!, {
        officerName: x.officerName, callbackPhone: x.callbackPhone, nature: x.nature, imminentDanger: x.imminentDanger, whyNoProcess: x.whyNoProcess,
        scope: {
          address: { lat: Number(x.lat), lon: Number(x.lon), radiusM: Number(x.radiusM) },
          ranges: [{ from: new Date(x.from).toISOString(), to: new Date(x.to).toISOString() }],
        },
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['emergencies'] }),
    onError: (err) => void applyServerErrors(form, err, RENAME),
  });
  // The window and radius rules show as soon as they are broken; the other fields' on submit, or from the server.
  const radiusProblem = form.errors.radiusM ?? radiusRule(v.radiusM);
  const windowProblem = form.errors.to ?? windowRule(v.from, v.to);
  const point = v.lat !== '' && v.lon !== '' ? { lat: v.lat, lon: v.lon } : null;

  return (
    <Container size="lg">
      <Title order={1}>Emergency requests</Title>
      <Text my="sm">
        Only for an imminent danger of death or serious physical injury when legal process cannot be obtained in time. Two different reviewers must each approve; a reviewer calls
        the callback number first. The owners are told, and a warrant must follow within 7 days.
      </Text>
      <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((x) => create.mutate(x))} noValidate aria-label="New emergency request">
        <Stack>
          {create.isError && !shownOnFields(form, create.error, RENAME) && <Alert color="red" role="alert" title="Not accepted">{create.error.message}</Alert>}
          {create.isSuccess && <Alert color="green" role="status">Submitted. A reviewer will call the callback number.</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Requesting officer" required {...form.getInputProps('officerName')} />
            <TextInput label="Callback phone number" type="tel" required {...form.getInputProps('callbackPhone')} />
          </SimpleGrid>
          <Textarea label="Nature of the emergency" required autosize minRows={2} maxLength={2000} {...form.getInputProps('nature')} />
          <Textarea label="Why there is an imminent danger of death or serious physical injury" required autosize minRows={2} maxLength={2000} {...form.getInputProps('imminentDanger')} />
          <Textarea label="Why legal process cannot be obtained in time" required autosize minRows={2} maxLength={2000} {...form.getInputProps('whyNoProcess')} />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label="Address latitude" required decimalScale={6} {...form.getInputProps('lat')} />
            <NumberInput label="Address longitude" required decimalScale={6} {...form.getInputProps('lon')} />
            <NumberInput label="Radius (m, at most 100)" required min={1} max={100} {...form.getInputProps('radiusM')} error={radiusProblem} />
          </SimpleGrid>
          <MapView
            label="Map: click to set the address"
            height={240}
            markers={point ? [{ id: 'addr', label: 'Address', ...point }] : []}
            polygons={point && v.radiusM ? [{ id: 'r', ring: circleRing(point, Number(v.radiusM)), label: 'Scope' }] : []}
            onMapClick={(p) => form.setValues({ lat: Number(p.lat.toFixed(6)), lon: Number(p.lon.toFixed(6)) })}
          />
          <Group grow>
            <TextInput type="datetime-local" label="From" required {...form.getInputProps('from')} />
            <TextInput type="datetime-local" label="To" required {...form.getInputProps('to')} error={windowProblem} />
          </Group>
          <Button type="submit" color="red" loading={create.isPending} disabled={!id} w="fit-content">Submit emergency request</Button>
        </Stack>
      </Paper>
      <Title order={2} size="h3" mt="xl" mb="sm">Status</Title>
      <QueryState q={items} empty={(l) => (l.length ? null : <Empty title="No emergency requests" />)}>
        {(list) => <Stack>{list.map((e) => <EmergencyCard key={e.id} e={e} agencyId={id!} />)}</Stack>}
      </QueryState>
    </Container>
  );
}

/** One emergency: its state, then (once two reviewers approved) the released clips, resolution and the follow-up warrant. */
function EmergencyCard({ e, agencyId }: { e: EmergencyRequest; agencyId: string }) {
  const qc = useQueryClient();
  const [playing, setPlaying] = useState<{ src: string; title: string } | null>(null);
  const [demandId, setDemandId] = useState<string | null>(null);
  const approved = e.status === 'approved';
  const path = { id: agencyId, itemId: e.id };
  const evidence = useQuery({
    queryKey: ['emergency-evidence', e.id],
    enabled: approved,
    queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/emergency-requests/{itemId}/evidence', { params: { path } })),
  });
  const warrants = useQuery({
    queryKey: ['legal-demands', agencyId],
    enabled: approved && !e.followUp.demandId,
    queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}/legal-demands', { params: { path: { id: agencyId } } })),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['emergencies'] });
  const resolve = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/agencies/{id}/emergency-requests/{itemId}/resolve', { params: { path } })), onSuccess: refresh });
  const link = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/agencies/{id}/emergency-requests/{itemId}/follow-up', { params: { path }, body: { demandId: demandId! } })),
    onSuccess: refresh,
  });
  const state = e.status !== 'pending' ? e.status : !e.callback ? 'awaiting callback' : `${e.determinations.length} of 2 determinations`;
  const approvedWarrants = (warrants.data ?? []).filter((d) => d.type === 'search_warrant' && d.status === 'approved');
  return (
    <Card withBorder data-testid="emergency-card">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div>
          <Text fw={600} data-testid="emergency-nature">{e.nature}</Text>
          <Text size="sm">Submitted {formatTime(e.createdAt)} by {e.officerName}</Text>
        </div>
        <StatusBadge status={e.status} />
      </Group>
      <Text size="sm" mt="xs" data-testid="emergency-progress">
        {e.callback ? (e.callback.confirmed ? 'callback confirmed' : 'callback not confirmed') : 'awaiting callback'} · {e.determinations.length} of 2 · {e.released.length} clip(s) released
      </Text>
      <Text size="sm">State: {state}{e.resolvedAt ? ` · resolved ${formatTime(e.resolvedAt)}` : ''}</Text>
      {approved && (
        <Stack gap="xs" mt="sm">
          {e.followUp.demandId ? (
            <Text size="sm">Follow-up warrant linked.</Text>
          ) : (
            <Text size="sm" c={e.followUp.noFollowUp ? 'red.9' : undefined}>
              {e.followUp.noFollowUp ? 'No follow-up legal process was linked in time; this is on the public log.' : `A search warrant covering this scope must be linked${e.followUp.dueAt ? ` by ${formatTime(e.followUp.dueAt)}` : ''}.`}
            </Text>
          )}
          {(resolve.error ?? link.error) && <Alert color="red" role="alert">{(resolve.error ?? link.error)!.message}</Alert>}
          <Group gap="xs" align="flex-end">
            {!e.resolvedAt && <Button size="xs" variant="default" onClick={() => resolve.mutate()} loading={resolve.isPending}>Mark resolved (owners are told)</Button>}
            {!e.followUp.demandId && approvedWarrants.length > 0 && (
              <>
                <NativeSelect size="xs" label="Approved warrant" data={[{ value: '', label: 'Choose' }, ...approvedWarrants.map((d) => ({ value: d.id, label: `case ${d.caseNumber}` }))]} value={demandId ?? ''} onChange={(ev) => setDemandId(ev.currentTarget.value || null)} />
                <Button size="xs" variant="default" disabled={!demandId} onClick={() => link.mutate()} loading={link.isPending}>Link follow-up</Button>
              </>
            )}
          </Group>
          {e.released.length > 0 && (
            <Button component="a" href={`/api/v1/agencies/${agencyId}/emergency-requests/${e.id}/evidence.zip`} download size="xs" variant="default" w="fit-content" data-testid="emergency-evidence-zip">
              Download evidence ZIP (verifies offline)
            </Button>
          )}
          {(evidence.data ?? []).map((m) => (
            <Group key={m.disclosureId} gap="xs">
              <Text size="sm">Clip {formatTime(m.cameraReported.startedAt)} · SHA-256 <span className="mono">{m.sha256.original.slice(0, 16)}…</span>{m.log.index !== null ? ` · log entry #${m.log.index}` : ''}</Text>
              <Button size="compact-xs" onClick={() => setPlaying({ src: `/api/v1/agencies/${agencyId}/emergency-requests/${e.id}/evidence/${m.disclosureId}/video`, title: `Released clip, ${formatTime(m.cameraReported.startedAt)}` })}>Play</Button>
            </Group>
          ))}
        </Stack>
      )}
      <ClipPlayer src={playing?.src ?? null} title={playing?.title ?? ''} onClose={() => setPlaying(null)} />
    </Card>
  );
}
