// The owner's Control Center (issue 14): sessions, password, recovery codes, contact sharing,
// notification channels, the data export
// and account deletion. Every setting here does what it says on the server;
// the page only shows its answers.
import { Alert, Anchor, Button, Container, Group, List, Paper, PasswordInput, Progress, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';
import { TableScroll } from '../../components/TableScroll';
import { bytes, formatTime } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';
import { NewRecoveryCodes } from '../auth/RecoveryCodes';
import { ContactSharing, NotificationChannels } from './ControlSettings';

const DELETE_WORDS = 'delete my account';

function Sessions() {
  const qc = useQueryClient();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => unwrap(api.GET('/api/v1/me/sessions')) });
  const end = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/me/sessions/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Where you are signed in</Title>
      <QueryState q={sessions}>
        {(list) => (
          <TableScroll minWidth={560} label="Sessions">
            <Table>
              <Table.Thead><Table.Tr><Table.Th>Device</Table.Th><Table.Th>Address</Table.Th><Table.Th>Last seen</Table.Th><Table.Th /></Table.Tr></Table.Thead>
              <Table.Tbody>
                {list.map((s) => (
                  <Table.Tr key={s.id} data-testid="session">
                    <Table.Td>{s.userAgent ? s.userAgent.slice(0, 60) : 'unknown device'}</Table.Td>
                    <Table.Td className="mono">{s.ip ? s.ip.replace(/(\d+\.\d+)\.\d+\.\d+$/, '$1.x.x') : '—'}</Table.Td>
                    <Table.Td>{formatTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>{s.current ? <Text size="sm">this session</Text> : <Button size="xs" variant="default" loading={end.isPending && end.variables === s.id} onClick={() => end.mutate(s.id)}>End</Button>}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        )}
      </QueryState>
    </Paper>
  );
}

function ChangePassword() {
  const form = useForm({ mode: 'uncontrolled', initialValues: { currentPassword: '', newPassword: '' } });
  const change = useMutation({
    mutationFn: (v: { currentPassword: string; newPassword: string }) => unwrap(api.POST('/api/v1/me/password', { body: v })),
    onSuccess: () => form.reset(),
    onError: (err) => applyServerErrors(form, err),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Change your password</Title>
      <Text size="sm" mb="xs">Your other sessions end when it changes.</Text>
      {change.isSuccess && <Alert color="green" role="status" mb="xs">Password changed; your other sessions have ended.</Alert>}
      <form onSubmit={form.onSubmit((v) => change.mutate(v))}>
        <Stack gap="xs">
          <PasswordInput label="Current password" autoComplete="current-password" key={form.key('currentPassword')} {...form.getInputProps('currentPassword')} />
          <PasswordInput label="New password" autoComplete="new-password" key={form.key('newPassword')} {...form.getInputProps('newPassword')} />
          <Button type="submit" loading={change.isPending} w="fit-content">Change password</Button>
        </Stack>
      </form>
    </Paper>
  );
}

function ExportData() {
  const qc = useQueryClient();
  const job = useQuery({
    queryKey: ['export'],
    queryFn: () => unwrap(api.GET('/api/v1/me/export')),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false),
  });
  const form = useForm({ mode: 'uncontrolled', initialValues: { password: '' } });
  const start = useMutation({
    mutationFn: (v: { password: string }) => unwrap(api.POST('/api/v1/me/export', { body: v })),
    onSuccess: (j) => {
      form.reset();
      qc.setQueryData(['export'], j);
    },
    onError: (err) => applyServerErrors(form, err),
  });
  const j = job.data;
  // After a download the link is spent; look again shortly, unless the page has
  // moved on (an account deleted meanwhile would answer that look with a 401).
  const later = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(later.current), []);
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Export your data</Title>
      <Text size="sm" mb="xs">
        One ZIP with your account, cameras, every clip as your camera recorded it (with its device signature), your shares, your access log and
        your receipts, each of which verifies offline. The link works once, for you, for 24 hours.
      </Text>
      <div aria-live="polite">
        {j?.status === 'running' && (
          <Stack gap={4} mb="xs">
            <Text size="sm">Building the export: {j.done} of {j.total} clips…</Text>
            <Progress value={j.total ? (100 * j.done) / j.total : 100} aria-label="Export progress" />
          </Stack>
        )}
        {j?.status === 'ready' && j.downloadUrl && (
          <Alert color="green" role="status" mb="xs" title="Your export is ready">
            <Anchor href={j.downloadUrl} data-testid="export-download" onClick={() => { later.current = setTimeout(() => void job.refetch(), 1500); }}>Download the ZIP</Anchor>
            {j.size !== null && ` (${bytes(j.size)})`}, until {j.expiresAt ? formatTime(j.expiresAt) : '—'}.
          </Alert>
        )}
        {j?.status === 'failed' && <Alert color="red" role="alert" mb="xs">{j.error}</Alert>}
      </div>
      <form onSubmit={form.onSubmit((v) => start.mutate(v))}>
        <Group align="flex-end">
          <PasswordInput label="Your password" autoComplete="current-password" key={form.key('password')} {...form.getInputProps('password')} />
          <Button type="submit" loading={start.isPending} disabled={j?.status === 'running'}>Export my data</Button>
        </Group>
      </form>
    </Paper>
  );
}

type Deleted = Awaited<ReturnType<typeof deleteAccount>>;
const deleteAccount = (v: { password: string; confirm: string }) => unwrap(api.POST('/api/v1/me/deletion', { body: v }));

function AccountDeleted({ d }: { d: Deleted }) {
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Your account is deleted</Title>
      <Text my="xs" data-testid="deletion-done">
        {d.shredded} clip{d.shredded === 1 ? ' was' : 's were'} destroyed: their keys are gone, so no one, Porchlight included, can decrypt them.
        Your sessions and personal details are gone. Entries in the public log stay; they never held your name or address.
      </Text>
      {d.kept.length > 0 && (
        <Alert color="yellow" title="Kept until a legal hold ends">
          <List size="sm">{d.kept.map((k) => <List.Item key={k.clipId}>The clip of {formatTime(k.startedAt)}: {k.until ? `until ${formatTime(k.until)}` : 'until the hold is released'}. It is deleted then.</List.Item>)}</List>
        </Alert>
      )}
      <Button component="a" href="/" mt="sm">Close</Button>
    </Paper>
  );
}

function DeleteAccount({ onDeleted }: { onDeleted: (d: Deleted) => void }) {
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { password: '', confirm: '' },
    validate: { confirm: (v) => (v.trim().toLowerCase() === DELETE_WORDS ? null : `Type "${DELETE_WORDS}"`) },
  });
  const del = useMutation({
    mutationFn: deleteAccount,
    onSuccess: onDeleted,
    onError: (err) => applyServerErrors(form, err),
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Delete your account</Title>
      <Text size="sm" mb="xs">
        Every clip&apos;s key is destroyed first, then the files, your sessions and your personal details. A clip under a legal hold stays until
        the hold ends, and you are told which. End your other sessions first. This cannot be undone: export your data before, if you want it.
      </Text>
      {del.isError && !(del.error as { fieldErrors?: unknown[] }).fieldErrors?.length && <Alert color="red" role="alert" mb="xs">{del.error.message}</Alert>}
      <form onSubmit={form.onSubmit((v) => del.mutate(v))}>
        <Stack gap="xs">
          <PasswordInput label="Your password" autoComplete="current-password" key={form.key('password')} {...form.getInputProps('password')} />
          <TextInput label={`Type "${DELETE_WORDS}"`} autoComplete="off" key={form.key('confirm')} {...form.getInputProps('confirm')} />
          <Button type="submit" color="red" loading={del.isPending} w="fit-content">Delete my account</Button>
        </Stack>
      </form>
    </Paper>
  );
}

export function ControlCenterPage() {
  // Once the account is deleted only the outcome stays on the page: the other
  // sections would go on asking the API for a session that no longer exists.
  const [deleted, setDeleted] = useState<Deleted | null>(null);
  if (deleted) {
    return (
      <Container size="md">
        <Title order={1} mb="md">Your data and account</Title>
        <AccountDeleted d={deleted} />
      </Container>
    );
  }
  return (
    <Container size="md">
      <Title order={1} mb="md">Your data and account</Title>
      <Stack>
        <Sessions />
        <ChangePassword />
        <NewRecoveryCodes />
        <ContactSharing />
        <NotificationChannels />
        <ExportData />
        <DeleteAccount onDeleted={setDeleted} />
      </Stack>
    </Container>
  );
}
