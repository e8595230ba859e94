// The Control Center's settings (issue 14 §3, §4): what agencies you share
// clips with may see of you, and which channels carry each kind of
// notification. The server decides what is valid; its 400s show on the form.
import { Alert, Button, Checkbox, Paper, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';
import { TableScroll } from '../../components/TableScroll';
import { applyServerErrors } from '../../lib/forms';

type Contact = { enabled: boolean; name: string; phone: string; email: string };
type Settings = NonNullable<Awaited<ReturnType<typeof loadSettings>>>;
type Kind = keyof Settings;
type Channel = 'inapp' | 'email' | 'push';

const loadSettings = () => unwrap(api.GET('/api/v1/me/notification-settings'));

function ContactForm({ initial }: { initial: Contact }) {
  const qc = useQueryClient();
  const form = useForm<Contact>({ mode: 'uncontrolled', initialValues: initial });
  const save = useMutation({
    mutationFn: (v: Contact) => unwrap(api.PUT('/api/v1/me/contact-sharing', { body: { enabled: v.enabled, name: v.name || null, phone: v.phone || null, email: v.email || null } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['contact-sharing'] }),
    onError: (err) => applyServerErrors(form, err),
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Stack gap="xs">
        {save.isSuccess && <Alert color="green" role="status">{save.data.enabled ? 'Agencies you share clips with will see these details.' : 'Contact sharing is off.'}</Alert>}
        <Switch label="Share my contact details with agencies I share clips with" key={form.key('enabled')} {...form.getInputProps('enabled', { type: 'checkbox' })} />
        <TextInput label="Name" maxLength={100} autoComplete="name" key={form.key('name')} {...form.getInputProps('name')} />
        <TextInput label="Phone number" maxLength={30} autoComplete="tel" key={form.key('phone')} {...form.getInputProps('phone')} />
        <TextInput label="E-mail address" maxLength={254} autoComplete="email" key={form.key('email')} {...form.getInputProps('email')} />
        <Button type="submit" loading={save.isPending} w="fit-content">Save contact sharing</Button>
      </Stack>
    </form>
  );
}

export function ContactSharing() {
  const q = useQuery({ queryKey: ['contact-sharing'], queryFn: () => unwrap(api.GET('/api/v1/me/contact-sharing')) });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Contact sharing</Title>
      <Text size="sm" mb="xs">
        Off unless you turn it on. When on, an agency you share clips with in answer to its request also sees your name and the phone number
        or e-mail address you give here, as they are when it looks. Each time it sees them is in your access log. Warrants and emergencies never show them.
      </Text>
      <QueryState q={q}>
        {(c) => <ContactForm initial={{ enabled: c.enabled, name: c.name ?? '', phone: c.phone ?? '', email: c.email ?? '' }} />}
      </QueryState>
    </Paper>
  );
}

const KINDS: { kind: Kind; label: string }[] = [
  { kind: 'requests', label: 'Requests for footage' },
  { kind: 'notices', label: 'Legal notices and disclosures of your clips (at least one channel)' },
  { kind: 'feed_replies', label: 'Replies to your feed posts' },
  { kind: 'feed_posts', label: 'Feed posts near you' },
];
const CHANNELS: { channel: Channel; label: string }[] = [
  { channel: 'inapp', label: 'In the app' },
  { channel: 'email', label: 'E-mail' },
  { channel: 'push', label: 'Web push' },
];

function ChannelsForm({ initial }: { initial: Settings }) {
  const qc = useQueryClient();
  const form = useForm<Settings>({ mode: 'uncontrolled', initialValues: initial });
  const save = useMutation({
    mutationFn: (v: Settings) => unwrap(api.PUT('/api/v1/me/notification-settings', { body: v })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['notification-settings'] }),
    onError: (err) => applyServerErrors(form, err),
  });
  const errors = form.errors;
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      {save.isSuccess && <Alert color="green" role="status" mb="xs">Notification channels saved.</Alert>}
      {save.isError && <Alert color="red" role="alert" mb="xs" data-testid="notification-error">{save.error.message}</Alert>}
      <TableScroll minWidth={520} label="Notification channels">
        <Table>
          <Table.Thead>
            <Table.Tr><Table.Th>Kind</Table.Th>{CHANNELS.map((c) => <Table.Th key={c.channel}>{c.label}</Table.Th>)}</Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {KINDS.map(({ kind, label }) => (
              <Table.Tr key={kind}>
                <Table.Td>{label}{errors[kind] && <Text size="xs" c="red">{errors[kind]}</Text>}</Table.Td>
                {CHANNELS.map((c) => (
                  <Table.Td key={c.channel}>
                    <Checkbox aria-label={`${label}: ${c.label}`} key={form.key(`${kind}.${c.channel}`)} {...form.getInputProps(`${kind}.${c.channel}`, { type: 'checkbox' })} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <Button type="submit" mt="xs" loading={save.isPending}>Save notification channels</Button>
    </form>
  );
}

export function NotificationChannels() {
  const q = useQuery({ queryKey: ['notification-settings'], queryFn: loadSettings });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Notifications</Title>
      <Text size="sm" mb="xs">Choose how you hear of each kind. Web push reaches the browsers where you allowed it.</Text>
      <QueryState q={q}>{(s) => <ChannelsForm initial={s} />}</QueryState>
    </Paper>
  );
}

