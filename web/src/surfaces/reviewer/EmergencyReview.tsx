// The two-person emergency flow. Reviewer 1 calls the callback number and
// records the call, then a good-faith determination; reviewer 2, a different
// person, records an independent one. Only two approvals release the clips in
// scope, to the requesting agency only. The state is always shown at the top.
import { Alert, Anchor, Button, Checkbox, Container, Group, Paper, SegmentedControl, SimpleGrid, Stack, Stepper, Table, Text, TextInput, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { MapView } from '../../components/MapView';
import { joinReason, ReasonPicker, reasonRules, type ReasonValues } from '../../components/ReasonPicker';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { circleRing } from '../../lib/area';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { formatTime, toLocalInput } from '../../lib/format';
import { useMe } from '../../lib/session';
import { ageText } from './Queues';

type Emergency = Awaited<ReturnType<typeof getOne>>;
const getOne = (id: string) => unwrap(api.GET('/api/v1/review/emergency-requests/{id}', { params: { path: { id } } }));

const APPROVE_REASONS = [
  { value: 'imminent_danger_confirmed', label: 'Imminent danger of death or serious injury confirmed' },
  { value: 'no_time_for_process', label: 'Legal process cannot be obtained in time' },
  { value: 'scope_matches', label: 'Scope is limited to what the emergency needs' },
];
const DENY_REASONS = [
  { value: 'no_imminent_danger', label: 'No imminent danger of death or serious injury shown' },
  { value: 'process_available', label: 'Legal process can be obtained in time' },
  { value: 'callback_not_confirmed', label: 'Requester not confirmed on callback' },
  { value: 'scope_too_broad', label: 'Scope broader than the emergency needs' },
  { value: 'other', label: 'Other' },
];

/** The server's state as a step of the stepper: 0 callback, 1 first determination, 2 second, 3 decided. */
const STAGE: Record<Emergency['state'], number> = {
  awaiting_callback: 0, awaiting_first_determination: 1, awaiting_second_determination: 2, denied: 3, approved: 3, resolved: 3,
};
export function stage(e: Emergency): number {
  return STAGE[e.state];
}

export function EmergencyQueuePage() {
  const q = useQuery({ queryKey: ['review-emergencies'], queryFn: () => unwrap(api.GET('/api/v1/review/emergency-requests')), refetchInterval: 30_000 });
  return (
    <Container size="lg">
      <Title order={1} mb="md">Emergency requests</Title>
      <QueryState q={q} empty={(l) => (l.length ? null : <Empty title="No emergency requests waiting" />)}>
        {(list) => (
          <TableScroll minWidth={520}>
            <Table striped>
              <Table.Thead>
                <Table.Tr><Table.Th>Emergency</Table.Th><Table.Th>Officer</Table.Th><Table.Th>Waiting</Table.Th><Table.Th>State</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td><Link to={`/review/emergency/${e.id}`}>{e.nature.slice(0, 80)}</Link></Table.Td>
                    <Table.Td>{e.officerName}</Table.Td>
                    <Table.Td>{ageText(e.ageMs)}</Table.Td>
                    <Table.Td>{['awaiting callback', 'awaiting first determination', 'awaiting second determination', e.status][stage(e)]}</Table.Td>
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

export function EmergencyReviewPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const q = useQuery({ queryKey: ['review-emergency', id], queryFn: () => getOne(id) });
  return (
    <Container size="lg">
      <Anchor component={Link} to="/review/emergency" size="sm">← Emergency requests</Anchor>
      <QueryState q={q}>
        {(e) => {
          const s = stage(e);
          const mine = e.determinations.some((d) => d.reviewerId === me.data?.id);
          return (
            <Stack mt="sm">
              <Group justify="space-between">
                <Title order={1}>Emergency: {e.nature.slice(0, 60)}</Title>
                <StatusBadge status={e.status} />
              </Group>
              <Paper withBorder p="md" aria-label="State of this emergency request" role="region">
                <Stepper active={s} size="sm" allowNextStepsSelect={false} orientation="horizontal" wrap>
                  <Stepper.Step label="Callback" description={e.callback ? `${e.callback.confirmed ? 'confirmed' : 'not confirmed'}, ${formatTime(e.callback.at)}` : 'not yet'} />
                  <Stepper.Step label="First determination" description={e.determinations[0] ? `${e.determinations[0].decision} by ${e.determinations[0].reviewerId === me.data?.id ? 'you' : 'another reviewer'}` : 'not yet'} />
                  <Stepper.Step label="Second determination" description={e.determinations[1] ? `${e.determinations[1].decision} by ${e.determinations[1].reviewerId === me.data?.id ? 'you' : 'another reviewer'}` : 'a different reviewer'} />
                  <Stepper.Completed>
                    <Text fw={600} mt="sm" data-testid="emergency-outcome">
                      {e.status === 'approved' ? `Approved by two reviewers: ${e.released.length} clip${e.released.length === 1 ? '' : 's'} released to the requesting agency, each on the public log.` : 'Denied: nothing was released.'}
                    </Text>
                  </Stepper.Completed>
                </Stepper>
                <Text size="sm" mt="sm" data-testid="emergency-state">
                  State: {['awaiting callback', 'awaiting first determination', 'awaiting second determination by a different reviewer', e.status][s]} · waiting {ageText(e.ageMs)}
                </Text>
              </Paper>
              <Facts e={e} />
              {s === 0 && <CallbackForm e={e} />}
              {(s === 1 || s === 2) && (mine ? (
                <Alert color="indigo" role="status" title="Your determination is recorded">A second, different reviewer must now record an independent determination.</Alert>
              ) : (
                <DeterminationForm e={e} second={s === 2} />
              ))}
            </Stack>
          );
        }}
      </QueryState>
    </Container>
  );
}

function Facts({ e }: { e: Emergency }) {
  const a = e.scope.address;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Stack gap={6}>
        <Text><b>Officer:</b> {e.officerName}</Text>
        <Text><b>Callback number:</b> {e.callbackPhone}</Text>
        <Text><b>Nature of the emergency:</b> {e.nature}</Text>
        <Text><b>Imminent danger:</b> {e.imminentDanger}</Text>
        <Text><b>Why no legal process in time:</b> {e.whyNoProcess}</Text>
        <Text><b>Window:</b> {e.scope.ranges.map((r) => `${formatTime(r.from)} – ${formatTime(r.to)}`).join('; ') || 'none'}</Text>
        <Text><b>Scope:</b> {a ? `within ${a.radiusM} m of ${a.lat.toFixed(5)}, ${a.lon.toFixed(5)}` : ''}{e.scope.cameraIds.length ? ` ${e.scope.cameraIds.length} named camera(s)` : ''}</Text>
        {e.determinations.map((d, i) => (
          <Text key={i} size="sm"><b>Determination {i + 1}:</b> {d.decision} — {d.reasons}</Text>
        ))}
      </Stack>
      {a && <MapView label="Map of the emergency scope" height={260} markers={[{ id: 'a', label: 'Address', lat: a.lat, lon: a.lon }]} polygons={[{ id: 's', ring: circleRing(a, a.radiusM), label: `${a.radiusM} m` }]} />}
    </SimpleGrid>
  );
}

function useInvalidate(id: string) {
  const qc = useQueryClient();
  return async (e: Emergency) => {
    qc.setQueryData(['review-emergency', id], e);
    await qc.invalidateQueries({ queryKey: ['review-emergencies'] });
    await qc.invalidateQueries({ queryKey: ['review-queues'] });
  };
}

type CallbackValues = { numberDialled: string; calledAt: string; confirmed: boolean; notes: string };

function CallbackForm({ e }: { e: Emergency }) {
  const form = useForm<CallbackValues>({
    initialValues: { numberDialled: e.callbackPhone, calledAt: toLocalInput(new Date()), confirmed: false, notes: '' },
    validate: {
      numberDialled: (v) => (v.trim() ? null : 'Enter the number you called'),
      calledAt: (v) => (v && !Number.isNaN(new Date(v).getTime()) ? null : 'Enter when you called'),
    },
  });
  const done = useInvalidate(e.id);
  const m = useMutation({
    mutationFn: (v: CallbackValues) => unwrap(api.POST('/api/v1/review/emergency-requests/{id}/callback', {
      params: { path: { id: e.id } },
      body: { numberDialled: v.numberDialled, calledAt: new Date(v.calledAt).toISOString(), confirmed: v.confirmed, ...(v.notes ? { notes: v.notes } : {}) },
    })),
    onSuccess: done,
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => m.mutate(v))} noValidate aria-label="Record the callback">
      <Title order={2} size="h3" mb="xs">Step 1: call the requester back</Title>
      <Text size="sm" mb="sm">Call the number on the form (or the agency&apos;s published number) and confirm the requester is who they say.</Text>
      <Stack>
        {m.isError && !shownOnFields(form, m.error) && <Alert color="red" role="alert">{m.error.message}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Number dialled" type="tel" required {...form.getInputProps('numberDialled')} />
          <TextInput label="Time of the call" type="datetime-local" required {...form.getInputProps('calledAt')} />
        </SimpleGrid>
        <Checkbox label="The requester was confirmed on this call" {...form.getInputProps('confirmed', { type: 'checkbox' })} />
        <TextInput label="Notes (optional)" {...form.getInputProps('notes')} />
        <Button type="submit" loading={m.isPending} w="fit-content">Record callback</Button>
      </Stack>
    </Paper>
  );
}

type DeterminationValues = ReasonValues & { decision: 'approve' | 'deny' };
// The body's one "reasons" field is made from the picker's two; what the server says of it belongs on the written text.
const RENAME = { reasons: 'text' };

function DeterminationForm({ e, second }: { e: Emergency; second: boolean }) {
  const form = useForm<DeterminationValues>({ initialValues: { decision: 'approve', reason: '', text: '' }, validate: reasonRules });
  const { decision } = form.values;
  const done = useInvalidate(e.id);
  const reasons = decision === 'approve' ? APPROVE_REASONS : DENY_REASONS;
  const m = useMutation({
    mutationFn: (v: DeterminationValues) => unwrap(api.POST('/api/v1/review/emergency-requests/{id}/determinations', {
      params: { path: { id: e.id } },
      body: { decision: v.decision, reasons: joinReason(reasons, v.reason, v.text) },
    })),
    onSuccess: done,
    onError: (err) => void applyServerErrors(form, err, RENAME),
  });
  return (
    <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => m.mutate(v))} noValidate aria-label="Record a determination">
      <Title order={2} size="h3" mb="xs">Step {second ? 3 : 2}: {second ? 'second, independent' : 'first'} good-faith determination</Title>
      {!e.callback?.confirmed && <Alert color="yellow" role="note" mb="sm">The callback did not confirm the requester.</Alert>}
      <Stack>
        {m.isError && !shownOnFields(form, m.error, RENAME) && <Alert color="red" role="alert">{m.error.message}</Alert>}
        <SegmentedControl
          aria-label="Decision"
          value={decision}
          onChange={(v) => form.setValues({ decision: v as 'approve' | 'deny', reason: '' })}
          data={[{ value: 'approve', label: 'Approve' }, { value: 'deny', label: 'Deny' }]}
          w="fit-content"
        />
        <ReasonPicker reasons={reasons} reasonProps={form.getInputProps('reason')} textProps={form.getInputProps('text')} />
        <Button type="submit" color={decision === 'deny' ? 'red' : undefined} loading={m.isPending} w="fit-content">
          Record {decision === 'approve' ? 'approval' : 'denial'}
        </Button>
      </Stack>
    </Paper>
  );
}
