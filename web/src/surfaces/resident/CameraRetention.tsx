// How long one camera's clips are kept (issue 14, item 6): the owner picks 1 to
// 180 days, or follows their account's default, and sees when each clip will
// be deleted, first to go first. A clip under a preservation hold is marked:
// the hold keeps it past that date, and the case behind it stays sealed.
// The range is the server's rule (PUT /api/v1/cameras/{id}/retention); its
// 400 is shown on the field rather than checked twice here.
import { Alert, Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Empty, ErrorState, Loading } from '../../components/States';
import { TableScroll } from '../../components/TableScroll';
import { formatTime } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';

const preview = (id: string, cursor?: string) =>
  unwrap(api.GET('/api/v1/cameras/{id}/retention-preview', { params: { path: { id }, query: cursor ? { cursor } : {} } }));
type Preview = Awaited<ReturnType<typeof preview>>;

export function CameraRetention({ cameraId }: { cameraId: string }) {
  const q = useInfiniteQuery({
    queryKey: ['cameras', cameraId, 'retention'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => preview(cameraId, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const first = q.data?.pages[0];
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Retention</Title>
      {q.isPending ? <Loading /> : q.isError || !first ? <ErrorState error={q.error} retry={() => void q.refetch()} /> : (
        <Stack gap="sm">
          <RetentionForm cameraId={cameraId} settings={first} />
          <Title order={3} size="h4">What will be deleted, and when</Title>
          <Text size="sm" c="dimmed">Each clip is deleted at the first hourly sweep after its date, unless a hold keeps it.</Text>
          <PreviewTable items={q.data.pages.flatMap((p) => p.items)} />
          {q.hasNextPage && <Button variant="default" w="fit-content" loading={q.isFetchingNextPage} onClick={() => void q.fetchNextPage()}>More clips</Button>}
        </Stack>
      )}
    </Paper>
  );
}

function RetentionForm({ cameraId, settings }: { cameraId: string; settings: Preview }) {
  const qc = useQueryClient();
  const form = useForm<{ days: number | string }>({ initialValues: { days: settings.days } });
  const save = useMutation({
    mutationFn: (days: number | null) => unwrap(api.PUT('/api/v1/cameras/{id}/retention', { params: { path: { id: cameraId } }, body: { days } })),
    onSuccess: (s) => {
      form.setValues({ days: s.days });
      form.resetDirty({ days: s.days });
      return qc.invalidateQueries({ queryKey: ['cameras', cameraId, 'retention'] });
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  const following = settings.cameraDays === null;
  return (
    <form
      aria-label="Retention"
      noValidate
      onSubmit={form.onSubmit((v) => {
        if (v.days === '') form.setFieldError('days', 'enter a number of days');
        else save.mutate(Number(v.days));
      })}
    >
      <Stack gap="xs">
        <Text size="sm">
          Clips from this camera are kept for <strong data-testid="retention-days">{settings.days} day{settings.days === 1 ? '' : 's'}</strong>
          {following ? `, your account's default.` : ` (your default is ${settings.ownerDays}).`}
        </Text>
        {save.isSuccess && <Alert color="green" role="status">Saved. The list below shows the new dates.</Alert>}
        {save.isError && !form.errors.days && <Alert color="red" role="alert">{save.error.message}</Alert>}
        <NumberInput
          label="Keep clips for (days)"
          description="From 1 to 180 days"
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          w={220}
          {...form.getInputProps('days')}
        />
        <Group>
          <Button type="submit" loading={save.isPending}>Save retention</Button>
          {!following && <Button variant="default" onClick={() => save.mutate(null)} loading={save.isPending}>Use my default ({settings.ownerDays} days)</Button>}
        </Group>
      </Stack>
    </form>
  );
}

function PreviewTable({ items }: { items: Preview['items'] }) {
  if (items.length === 0) return <Empty title="No clips from this camera" />;
  return (
    <TableScroll minWidth={520}>
      <Table striped aria-label="Retention preview">
        <Table.Thead>
          <Table.Tr><Table.Th>Clip recorded</Table.Th><Table.Th>Deleted after</Table.Th><Table.Th>Hold</Table.Th></Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((c) => (
            <Table.Tr key={c.clipId} data-testid="retention-clip">
              <Table.Td>{formatTime(c.startedAt)}</Table.Td>
              <Table.Td data-testid="retention-deletes-at">{formatTime(c.deletesAt)}</Table.Td>
              <Table.Td>{c.held ? <Badge color="orange" variant="light">On hold: kept past this date</Badge> : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </TableScroll>
  );
}
