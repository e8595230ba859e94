// The resident's own rules: how long clips are kept (1–180 days; deletion
// destroys the clip's key), and which kinds of agency may ask them for footage.
import { Alert, Button, Checkbox, Container, Group, NumberInput, Paper, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';
import { applyServerErrors, shownOnFields } from '../../lib/forms';

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
  // The range is checked here for a quick answer, and by the server, whose message lands on the same field.
  const form = useForm<{ days: number | '' }>({
    initialValues: { days: initial },
    validate: { days: (v) => (v === '' || v < 1 || v > 180 ? 'Between 1 and 180 days' : null) },
  });
  const save = useMutation({
    mutationFn: (v: { days: number | '' }) => unwrap(api.PUT('/api/v1/me/retention', { body: { days: Number(v.days) } })),
    onSuccess: (r) => qc.setQueryData(['retention'], r),
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate aria-label="Keep my clips for">
      <Title order={2} size="h3">Keep my clips for</Title>
      <Text size="sm" my="xs">Older clips are deleted automatically and their keys destroyed, so no backup can bring them back. A clip under a preservation hold waits until the hold ends.</Text>
      {save.isError && !shownOnFields(form, save.error) && <Alert color="red" role="alert" mb="xs">{save.error.message}</Alert>}
      {save.isSuccess && <Alert color="green" role="status" mb="xs">Saved.</Alert>}
      <Group align="flex-end">
        <NumberInput label="Days (1–180)" min={1} max={180} {...form.getInputProps('days')} w={160} />
        <Button type="submit" loading={save.isPending}>Save</Button>
      </Group>
    </Paper>
  );
}

function Blocked({ initial }: { initial: AgencyType[] }) {
  const qc = useQueryClient();
  const form = useForm<{ blockedAgencyTypes: AgencyType[] }>({ initialValues: { blockedAgencyTypes: initial } });
  const blocked = form.values.blockedAgencyTypes;
  const save = useMutation({
    mutationFn: (v: { blockedAgencyTypes: AgencyType[] }) => unwrap(api.PUT('/api/v1/me/request-policy', { body: v })),
    onSuccess: (r) => qc.setQueryData(['request-policy'], r),
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate aria-label="Who may ask me for footage">
      <Title order={2} size="h3">Who may ask me for footage</Title>
      <Text size="sm" my="xs">Requests from the kinds you block never reach you. Agencies cannot tell.</Text>
      {save.isError && !shownOnFields(form, save.error) && <Alert color="red" role="alert" mb="xs">{save.error.message}</Alert>}
      {form.errors.blockedAgencyTypes && <Text c="red" size="sm" role="alert">{form.errors.blockedAgencyTypes}</Text>}
      {save.isSuccess && <Alert color="green" role="status" mb="xs">Saved.</Alert>}
      <Stack gap="xs">
        {TYPES.map((t) => (
          <Checkbox
            key={t.value}
            label={`Block requests from ${t.label.toLowerCase()}`}
            checked={blocked.includes(t.value)}
            onChange={(e) => form.setFieldValue('blockedAgencyTypes', e.currentTarget.checked ? [...blocked, t.value] : blocked.filter((b) => b !== t.value))}
          />
        ))}
        <Button type="submit" loading={save.isPending} w="fit-content">Save</Button>
      </Stack>
    </Paper>
  );
}
