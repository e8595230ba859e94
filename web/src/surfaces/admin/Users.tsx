// Users, for administrators: find an account by e-mail or name, see its
// standing, and suspend, unsuspend or reset its TOTP, each with a reason for
// the audit trail. The list shows standing only (the API answers nothing
// else): no clips, no home, no settings.
import { Alert, Button, Group, Modal, NativeSelect, Stack, Table, Text, TextInput, Textarea, Title, Container } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { StatusBadge } from '../../components/StatusBadge';
import { Empty, ErrorState, Loading } from '../../components/States';
import { TableScroll } from '../../components/TableScroll';
import { formatTime } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';
import { InviteButton } from './Invite';

type Query = { q?: string; role?: Role; cursor?: string };
const listUsers = (query: Query) => unwrap(api.GET('/api/v1/admin/users', { params: { query } }));
type AdminUser = Awaited<ReturnType<typeof listUsers>>['users'][number];
type Action = 'suspend' | 'unsuspend' | 'reset-totp';
type Role = 'resident' | 'agency' | 'reviewer' | 'admin';

const ACTION_TEXT: Record<Action, { title: string; button: string; color: string; explain: string }> = {
  suspend: { title: 'Suspend', button: 'Suspend account', color: 'red', explain: 'Every session of this account ends now, and it cannot sign in until unsuspended.' },
  unsuspend: { title: 'Unsuspend', button: 'Unsuspend account', color: 'teal', explain: 'The account can sign in again.' },
  'reset-totp': { title: 'Reset two-factor sign-in for', button: 'Reset TOTP', color: 'orange', explain: 'The authenticator and recovery codes stop working and every session ends. Staff and agency members must enrol again at their next sign-in.' },
};

export function UsersPage() {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [acting, setActing] = useState<{ user: AdminUser; action: Action } | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['admin-users', q, role],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => listUsers({ ...(q ? { q } : {}), ...(role ? { role } : {}), ...(pageParam ? { cursor: pageParam } : {}) }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const find = (e: FormEvent) => {
    e.preventDefault();
    setQ(search.trim());
  };
  const users = list.data?.pages.flatMap((p) => p.users) ?? [];
  return (
    <Container size="lg">
      <Group justify="space-between" mb="md">
        <Title order={1}>Users</Title>
        <InviteButton />
      </Group>
      <form onSubmit={find} aria-label="Find users">
        <Group align="flex-end" mb="md">
          <TextInput label="E-mail or name begins with" value={search} onChange={(e) => setSearch(e.currentTarget.value)} maxLength={254} />
          <NativeSelect label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role | '')}
            data={[{ value: '', label: 'Any role' }, { value: 'resident', label: 'Resident' }, { value: 'agency', label: 'Agency member' }, { value: 'reviewer', label: 'Reviewer' }, { value: 'admin', label: 'Administrator' }]} />
          <Button type="submit">Find</Button>
        </Group>
      </form>
      {list.isPending ? <Loading /> : list.isError ? <ErrorState error={list.error} retry={() => void list.refetch()} /> : users.length === 0 ? <Empty title="No matching users" /> : (
        <TableScroll minWidth={820}>
          <Table striped>
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>E-mail</Table.Th><Table.Th>Role</Table.Th><Table.Th>Status</Table.Th><Table.Th>TOTP</Table.Th><Table.Th>Last seen</Table.Th><Table.Th>Actions</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((u) => (
                <Table.Tr key={u.id} data-testid="user-row">
                  <Table.Td>{u.displayName}</Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>{u.role}{u.agencyId ? <Text size="xs" c="dimmed" className="mono">{u.agencyId}</Text> : null}</Table.Td>
                  <Table.Td><StatusBadge status={u.status} /></Table.Td>
                  <Table.Td>{u.totpEnrolled ? 'on' : 'off'}</Table.Td>
                  <Table.Td>{u.lastSeenAt ? formatTime(u.lastSeenAt) : '—'}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {u.status === 'active'
                        ? <Button size="xs" color="red" variant="outline" onClick={() => setActing({ user: u, action: 'suspend' })} aria-label={`Suspend ${u.email}`}>Suspend</Button>
                        : <Button size="xs" variant="outline" onClick={() => setActing({ user: u, action: 'unsuspend' })} aria-label={`Unsuspend ${u.email}`}>Unsuspend</Button>}
                      {u.totpEnrolled && <Button size="xs" variant="default" onClick={() => setActing({ user: u, action: 'reset-totp' })} aria-label={`Reset TOTP of ${u.email}`}>Reset TOTP</Button>}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </TableScroll>
      )}
      {list.hasNextPage && <Button variant="default" mt="md" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>More users</Button>}
      {acting && <ActionModal user={acting.user} action={acting.action} onClose={() => setActing(null)} />}
    </Container>
  );
}

function ActionModal({ user, action, onClose }: { user: AdminUser; action: Action; onClose: () => void }) {
  const qc = useQueryClient();
  const text = ACTION_TEXT[action];
  const form = useForm({
    initialValues: { reason: '' },
    validate: { reason: (v) => (v.trim() ? (v.length > 500 ? 'at most 500 characters' : null) : 'give a reason') },
  });
  const run = useMutation({
    mutationFn: (reason: string) => {
      const params = { path: { id: user.id } };
      const body = { reason };
      if (action === 'suspend') return unwrap(api.POST('/api/v1/admin/users/{id}/suspend', { params, body }));
      if (action === 'unsuspend') return unwrap(api.POST('/api/v1/admin/users/{id}/unsuspend', { params, body }));
      return unwrap(api.POST('/api/v1/admin/users/{id}/reset-totp', { params, body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['admin-users'] });
      onClose();
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Modal opened onClose={onClose} title={`${text.title} ${user.email}`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={form.onSubmit((v) => run.mutate(v.reason.trim()))} noValidate>
        <Stack>
          <Text size="sm">{text.explain}</Text>
          {run.isError && !form.errors.reason && <Alert color="red" role="alert">{run.error.message}</Alert>}
          <Textarea label="Reason (kept in the audit trail)" required autosize minRows={2} maxLength={500} description={`${form.values.reason.length} / 500 characters`} data-autofocus {...form.getInputProps('reason')} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Cancel</Button>
            <Button type="submit" color={text.color} loading={run.isPending}>{text.button}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
