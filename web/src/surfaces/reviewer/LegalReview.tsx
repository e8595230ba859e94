// A legal demand under review: approve, narrow or reject with written reasons.
import { Alert, Anchor, Button, Container, Group, NumberInput, Paper, SegmentedControl, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { joinReason, ReasonPicker, reasonRules } from '../../components/ReasonPicker';
import { QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { formatTime, toLocalInput } from '../../lib/format';
import { ageText } from './Queues';

const REASONS = {
  approve: [{ value: 'valid_process', label: 'Valid process, scope supported' }],
  narrow: [{ value: 'overbroad_time', label: 'Window longer than the scope supports' }, { value: 'overbroad_cameras', label: 'More cameras than the scope supports' }],
  reject: [
    { value: 'overbroad', label: 'Overbroad' },
    { value: 'invalid_document', label: 'Document invalid or unsigned' },
    { value: 'wrong_type', label: 'Process type cannot release this' },
    { value: 'other', label: 'Other' },
  ],
};

type Decision = keyof typeof REASONS;
type Values = { decision: Decision; reason: string; text: string; radius: number | ''; ranges: { from: string; to: string }[] | null };
// The body's one reason field is made from the picker's two; what the server says of it belongs on the written text.
const RENAME = { reason: 'text' };

export function LegalReviewPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['review-legal', id], queryFn: () => unwrap(api.GET('/api/v1/review/legal-demands/{id}', { params: { path: { id } } })) });
  // Narrowing edits a copy of the requested scope (radius and ranges); the server refuses anything wider.
  const form = useForm<Values>({
    initialValues: { decision: 'approve', reason: '', text: '', radius: '', ranges: null },
    validate: reasonRules,
  });
  const { decision, radius, ranges } = form.values;
  const d0 = q.data;
  const shownRanges = () => ranges ?? d0!.scopeRequested.ranges.map((r) => ({ from: toLocalInput(new Date(r.from)), to: toLocalInput(new Date(r.to)) }));
  const narrowed = () => {
    const req = d0!.scopeRequested;
    return {
      ...(req.cameraIds.length ? { cameraIds: req.cameraIds } : {}),
      ...(req.address ? { address: { ...req.address, radiusM: radius === '' ? req.address.radiusM : radius } } : {}),
      ranges: shownRanges().map((r) => ({ from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() })),
    };
  };
  const m = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/review/legal-demands/{id}/decision', {
      params: { path: { id } },
      body: { decision: v.decision, reason: joinReason(REASONS[v.decision], v.reason, v.text), ...(v.decision === 'narrow' ? { scope: narrowed() } : {}) },
    })),
    onSuccess: (d) => {
      qc.setQueryData(['review-legal', id], d);
      void qc.invalidateQueries({ queryKey: ['review-queues'] });
    },
    onError: (err) => void applyServerErrors(form, err, RENAME),
  });
  const setRange = (i: number, end: 'from' | 'to', value: string) =>
    form.setFieldValue('ranges', shownRanges().map((x, j) => (j === i ? { ...x, [end]: value } : x)));
  return (
    <Container size="md">
      <Anchor component={Link} to="/review" size="sm">← Queues</Anchor>
      <QueryState q={q}>
        {(d) => (
          <Stack mt="sm">
            <Group justify="space-between">
              <Title order={1}>{d.type.replace(/_/g, ' ')}: case {d.caseNumber}</Title>
              <StatusBadge status={d.status} />
            </Group>
            <Text>Issued by {d.issuingAuthority} · waiting {ageText(d.ageMs)}{d.nondisclosureUntil ? ` · nondisclosure order until ${formatTime(d.nondisclosureUntil)}` : ''}</Text>
            <Text>Scope: {d.scopeRequested.cameraIds.length} camera(s){d.scopeRequested.address ? `, ${d.scopeRequested.address.radiusM} m around ${d.scopeRequested.address.lat.toFixed(5)}, ${d.scopeRequested.address.lon.toFixed(5)}` : ''}; {d.scopeRequested.ranges.map((r) => `${formatTime(r.from)} – ${formatTime(r.to)}`).join('; ')}</Text>
            <Anchor href={`/api/v1/review/legal-demands/${d.id}/document`} target="_blank" rel="noopener">Open the document (PDF)</Anchor>
            {d.review ? (
              <Alert color="gray" role="status">Decided: {d.review.decision} — {d.review.reason}</Alert>
            ) : (
              <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => m.mutate(v))} noValidate aria-label="Decide this demand">
                <Stack>
                  {m.isError && !shownOnFields(form, m.error, RENAME) && <Alert color="red" role="alert">{m.error.message}</Alert>}
                  <SegmentedControl aria-label="Decision" value={decision} onChange={(v) => form.setValues({ decision: v as Decision, reason: '' })} data={[{ value: 'approve', label: 'Approve' }, { value: 'narrow', label: 'Narrow' }, { value: 'reject', label: 'Reject' }]} w="fit-content" />
                  {decision === 'narrow' && (
                    <Stack gap="xs">
                      <Text size="sm">Narrow the scope: a smaller radius or shorter ranges. It can never grow.</Text>
                      {d.scopeRequested.address && (
                        <NumberInput label="Radius (m)" min={1} max={d.scopeRequested.address.radiusM} {...form.getInputProps('radius')} value={radius === '' ? d.scopeRequested.address.radiusM : radius} onChange={(v) => form.setFieldValue('radius', v === '' ? '' : Number(v))} w={200} />
                      )}
                      {shownRanges().map((r, i) => (
                        <SimpleGrid key={i} cols={{ base: 1, sm: 2 }}>
                          <TextInput type="datetime-local" label={`Range ${i + 1} from`} value={r.from} onChange={(e) => setRange(i, 'from', e.currentTarget.value)} />
                          <TextInput type="datetime-local" label={`Range ${i + 1} to`} value={r.to} onChange={(e) => setRange(i, 'to', e.currentTarget.value)} />
                        </SimpleGrid>
                      ))}
                    </Stack>
                  )}
                  <ReasonPicker reasons={REASONS[decision]} reasonProps={form.getInputProps('reason')} textProps={form.getInputProps('text')} />
                  <Button type="submit" loading={m.isPending} w="fit-content">Record decision</Button>
                </Stack>
              </Paper>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
