// The reviewers' feed queue: reported posts and comments with their reasons
// and notes, oldest report first. Removing leaves a tombstone "removed by a
// reviewer: reason" in place; keeping closes the reports. Both are audited.
import { Alert, Badge, Button, Card, Container, Group, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { Empty, QueryState } from '../../components/States';
import { REASONS, type Reason } from '../resident/feedApi';
import { ageText } from './Queues';

const queue = () => unwrap(api.GET('/api/v1/review/feed-reports'));
type Item = Awaited<ReturnType<typeof queue>>[number];

export function FeedReportsPage() {
  const q = useQuery({ queryKey: ['review-feed'], queryFn: queue });
  return (
    <Container size="md">
      <Title order={1} mb="md">Feed reports</Title>
      <QueryState q={q} empty={(l) => (l.length ? null : <Empty title="Nothing reported" />)}>
        {(items) => <Stack>{items.map((i) => <ReportedCard key={`${i.kind}:${i.id}`} item={i} />)}</Stack>}
      </QueryState>
    </Container>
  );
}

type Values = { reason: Reason; note: string };
type Decision = 'remove' | 'keep';

function ReportedCard({ item }: { item: Item }) {
  const qc = useQueryClient();
  const top = [...item.reasons].sort((a, b) => b.count - a.count)[0]?.reason as Reason | undefined;
  const form = useForm<Values>({ initialValues: { reason: top ?? 'other', note: '' } });
  const decide = useMutation({
    mutationFn: (v: Values & { decision: Decision }) => unwrap(api.POST('/api/v1/review/feed-reports/{kind}/{id}/decision', {
      params: { path: { kind: item.kind, id: item.id } }, body: { decision: v.decision, reason: v.reason, ...(v.note.trim() ? { note: v.note } : {}) },
    })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['review-feed'] }),
    onError: (err) => void applyServerErrors(form, err),
  });
  // Two buttons, one per decision; either sends the form's reason and note.
  const send = (decision: Decision) => form.onSubmit((v) => decide.mutate({ ...v, decision }))();
  return (
    <Card withBorder component="article" aria-label={`Reported ${item.kind}: ${item.title || item.text.slice(0, 40)}`} data-testid="reported-item">
      <Group justify="space-between">
        <Group gap="xs">
          <Badge variant="light">{item.kind}</Badge>
          {item.reasons.map((r) => <Badge key={r.reason} color="red" variant="outline">{r.reason.replace(/_/g, ' ')} × {r.count}</Badge>)}
        </Group>
        <Text size="xs">reported {ageText(item.ageMs)} ago</Text>
      </Group>
      {item.kind === 'post' && <Text fw={700} mt="xs">{item.title}</Text>}
      <Text size="sm" style={{ whiteSpace: 'pre-line' }}>{item.text}</Text>
      <Text size="xs" c="dimmed">by {item.author.name}</Text>
      {item.notes.map((n, i) => <Text key={i} size="sm" mt={4}>Reporter's note: {n}</Text>)}
      {decide.isError && !shownOnFields(form, decide.error) && <Alert color="red" role="alert" mt="xs">{decide.error.message}</Alert>}
      <Group align="flex-end" mt="sm">
        <NativeSelect label="Reason" data={REASONS.map((r) => ({ value: r.value, label: r.label }))} {...form.getInputProps('reason')} w={220} />
        <TextInput label="Note for the audit trail (optional)" {...form.getInputProps('note')} maxLength={500} />
        <Button color="red" loading={decide.isPending} onClick={() => send('remove')}>Remove</Button>
        <Button variant="default" loading={decide.isPending} onClick={() => send('keep')}>Keep</Button>
      </Group>
    </Card>
  );
}
