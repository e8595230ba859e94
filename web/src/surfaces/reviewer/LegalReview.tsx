// A legal demand under review: approve, narrow or reject with written reasons.
import { Alert, Anchor, Button, Container, Group, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { joinReason, ReasonPicker } from '../../components/ReasonPicker';
import { QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { formatTime } from '../../lib/format';
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

export function LegalReviewPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['review-legal', id], queryFn: () => unwrap(api.GET('/api/v1/review/legal-demands/{id}', { params: { path: { id } } })) });
  const [decision, setDecision] = useState<'approve' | 'narrow' | 'reject'>('approve');
  const [reason, setReason] = useState<string | null>(null);
  const [text, setText] = useState('');
  const m = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/review/legal-demands/{id}/decision', { params: { path: { id } }, body: { decision, reason: joinReason(REASONS[decision], reason, text) } })),
    onSuccess: (d) => {
      qc.setQueryData(['review-legal', id], d);
      void qc.invalidateQueries({ queryKey: ['review-queues'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason && text.trim()) m.mutate();
  };
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
              <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Decide this demand">
                <Stack>
                  {m.isError && <Alert color="red" role="alert">{m.error.message}</Alert>}
                  <SegmentedControl aria-label="Decision" value={decision} onChange={(v) => { setDecision(v as typeof decision); setReason(null); }} data={[{ value: 'approve', label: 'Approve' }, { value: 'narrow', label: 'Narrow' }, { value: 'reject', label: 'Reject' }]} w="fit-content" />
                  {decision === 'narrow' && <Text size="sm">Narrowing keeps the requested scope here; use the API to send a narrower scope.</Text>}
                  <ReasonPicker reasons={REASONS[decision]} reason={reason} onReason={setReason} text={text} onText={setText} />
                  <Button type="submit" loading={m.isPending} disabled={!reason || !text.trim() || decision === 'narrow'} w="fit-content">Record decision</Button>
                </Stack>
              </Paper>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
