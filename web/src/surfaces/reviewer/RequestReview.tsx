// A community request under review: its area over the agency's jurisdiction,
// window, text, and a decision with a reason from the fixed list plus a note.
// Rejection reasons name what the product does not allow (protest, general
// announcements, identifying victims) and quality problems.
import { Alert, Anchor, Button, Container, Group, NativeSelect, Paper, SegmentedControl, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { MapView } from '../../components/MapView';
import { QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { age, formatTime } from '../../lib/format';

type Reason = NonNullable<NonNullable<paths['/api/v1/review/requests/{id}/decision']['post']['requestBody']>['content']['application/json']['reason']>;

export const REJECT_REASONS: { value: Reason; label: string }[] = [
  { value: 'lawful_assembly_or_protest', label: 'Lawful assembly or protest' },
  { value: 'general_announcement', label: 'General announcement' },
  { value: 'victim_identification', label: 'Identifying a victim' },
  { value: 'outside_jurisdiction', label: 'Outside the jurisdiction' },
  { value: 'insufficient_detail', label: 'Insufficient detail' },
  { value: 'other', label: 'Other' },
];

type Values = { decision: 'approve' | 'reject'; reason: Reason | ''; note: string };

export function RequestReviewPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['review-request', id], queryFn: () => unwrap(api.GET('/api/v1/review/requests/{id}', { params: { path: { id } } })) });
  const agencyId = q.data?.agency.id;
  // The jurisdiction beside the area, so "outside jurisdiction" can be judged at a glance.
  const agency = useQuery({ queryKey: ['staff-agencies', agencyId], enabled: !!agencyId, queryFn: () => unwrap(api.GET('/api/v1/agencies/{id}', { params: { path: { id: agencyId! } } })) });
  const form = useForm<Values>({
    initialValues: { decision: 'approve', reason: '', note: '' },
    validate: { reason: (v, all) => (all.decision === 'reject' && !v ? 'Choose why the request is rejected' : null) },
  });
  const { decision } = form.values;
  const m = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/review/requests/{id}/decision', {
      params: { path: { id } },
      body: { decision: v.decision, ...(v.decision === 'reject' && v.reason ? { reason: v.reason } : {}), ...(v.note.trim() ? { note: v.note.trim() } : {}) },
    })),
    onSuccess: (r) => {
      qc.setQueryData(['review-request', id], r);
      void qc.invalidateQueries({ queryKey: ['review-queues'] });
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Container size="lg">
      <Anchor component={Link} to="/review" size="sm">← Queues</Anchor>
      <QueryState q={q}>
        {(r) => (
          <Stack mt="sm">
            <Group justify="space-between">
              <Title order={1}>{r.agency.name}: {r.incidentType.replace(/_/g, ' ')}</Title>
              <StatusBadge status={r.status} />
            </Group>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <MapView
                label="Map of the requested area and the agency's jurisdiction"
                height={300}
                polygons={[
                  ...(agency.data ? fromPolygon(agency.data.jurisdiction).map((ring, i) => ({ id: `j${i}`, ring, label: 'Jurisdiction', color: '#495057', dashed: true })) : []),
                  { id: r.id, ring: fromPolygon(r.area)[0], label: 'Requested area' },
                ]}
              />
              <Stack gap={6}>
                <Text><b>Case:</b> {r.caseNumber}</Text>
                <Text><b>Area:</b> {r.areaSqMi.toFixed(3)} sq mi</Text>
                {r.reach !== null && <Text data-testid="request-reach"><b>Reach:</b> approving would ask {r.reach} home{r.reach === 1 ? '' : 's'} (opted-in cameras in the area that do not block this kind of agency)</Text>}
                <Text><b>Window:</b> {formatTime(r.window.start)} – {formatTime(r.window.end)}</Text>
                <Text><b>Investigator:</b> {r.investigatorContact}</Text>
                <Text><b>Waiting:</b> {age(r.createdAt)}</Text>
                <Text><b>Description:</b> {r.description || '—'}</Text>
              </Stack>
            </SimpleGrid>
            {r.review ? (
              <Alert color="gray" role="status" data-testid="review-done">Decided: {r.review.decision}{r.review.reason ? ` (${r.review.reason.replace(/_/g, ' ')})` : ''}{r.review.note ? `: ${r.review.note}` : ''}</Alert>
            ) : (
              <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => m.mutate(v))} noValidate aria-label="Decide this request">
                <Stack>
                  {m.isError && !shownOnFields(form, m.error) && <Alert color="red" role="alert">{m.error.message}</Alert>}
                  <SegmentedControl aria-label="Decision" {...form.getInputProps('decision')} data={[{ value: 'approve', label: 'Approve and send' }, { value: 'reject', label: 'Reject' }]} w="fit-content" />
                  {decision === 'reject' && (
                    <NativeSelect label="Reason" required data={[{ value: '', label: 'Choose a reason' }, ...REJECT_REASONS]} {...form.getInputProps('reason')} />
                  )}
                  <Textarea label="Note to the agency" autosize minRows={2} maxLength={2000} {...form.getInputProps('note')} />
                  <Button type="submit" color={decision === 'reject' ? 'red' : undefined} loading={m.isPending} w="fit-content">
                    {decision === 'approve' ? 'Approve request' : 'Reject request'}
                  </Button>
                </Stack>
              </Paper>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
