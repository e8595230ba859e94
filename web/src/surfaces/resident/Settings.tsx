// The resident's own rules: how long clips are kept (1–180 days; deletion
// destroys the clip's key), and which kinds of agency may ask them for footage.
import { Alert, Button, Checkbox, Container, Group, NumberInput, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';

const TYPES = [
  { value: 'law_enforcement', label: 'Law enforcement' },
  { value: 'fire', label: 'Fire' },
  { value: 'ems', label: 'Emergency medical services' },
  { value: 'other_public_safety', label: 'Other public safety' },
] as const;
type AgencyType = (typeof TYPES)[number]['value'];

export function SettingsPage() {
  const retention = useQuery({ queryKey: ['retention'], queryFn: () => unwrap(api.GET('/api/v1/me/retention')) });
  const policy = useQuery({ queryKey: ['request-policy'], queryFn: () => unwrap(api.GET('/api/v1/me/request-policy')) });
  return (
    <Container size="sm">
      <Title order={1} mb="md">Settings</Title>
      <Stack>
        <QueryState q={retention}>{(r) => <Retention days={r.days} />}</QueryState>
        <QueryState q={policy}>{(p) => <Blocked initial={p.blockedAgencyTypes as AgencyType[]} />}</QueryState>
      </Stack>
    </Container>
  );
}

function Retention({ days: initial }: { days: number }) {
  const qc = useQueryClient();
  const [days, setDays] = useState<number | ''>(initial);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/me/retention', { body: { days: Number(days) } })),
    onSuccess: (r) => qc.setQueryData(['retention'], r),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Keep my clips for</Title>
      <Text size="sm" my="xs">Older clips are deleted automatically and their keys destroyed, so no backup can bring them back. A clip under a preservation hold waits until the hold ends.</Text>
      {save.isError && <Alert color="red" role="alert" mb="xs">{save.error.message}</Alert>}
      {save.isSuccess && <Alert color="green" role="status" mb="xs">Saved.</Alert>}
      <Group align="flex-end">
        <NumberInput label="Days (1–180)" min={1} max={180} value={days} onChange={(v) => setDays(v === '' ? '' : Number(v))} w={160} />
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={days === '' || days < 1 || days > 180}>Save</Button>
      </Group>
    </Paper>
  );
}

function Blocked({ initial }: { initial: AgencyType[] }) {
  const qc = useQueryClient();
  const [blocked, setBlocked] = useState<AgencyType[]>(initial);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/me/request-policy', { body: { blockedAgencyTypes: blocked } })),
    onSuccess: (r) => qc.setQueryData(['request-policy'], r),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Who may ask me for footage</Title>
      <Text size="sm" my="xs">Requests from the kinds you block never reach you. Agencies cannot tell.</Text>
      {save.isError && <Alert color="red" role="alert" mb="xs">{save.error.message}</Alert>}
      {save.isSuccess && <Alert color="green" role="status" mb="xs">Saved.</Alert>}
      <Stack gap="xs">
        {TYPES.map((t) => (
          <Checkbox
            key={t.value}
            label={`Block requests from ${t.label.toLowerCase()}`}
            checked={blocked.includes(t.value)}
            onChange={(e) => setBlocked(e.currentTarget.checked ? [...blocked, t.value] : blocked.filter((b) => b !== t.value))}
          />
        ))}
        <Button onClick={() => save.mutate()} loading={save.isPending} w="fit-content">Save</Button>
      </Stack>
    </Paper>
  );
}
