// Writing a post: title, text, category, optional clips of my own, and the
// place (my home unless I pick a point on the map). The server fuzzes the
// public point; attaching a clip discloses its public copy, and the form says so.
import { Alert, Button, Checkbox, Group, NativeSelect, Paper, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { MapView, type LatLon } from '../../components/MapView';
import { formatTime } from '../../lib/format';
import { useMe } from '../../lib/session';
import { CATEGORIES } from './feedApi';

interface Values {
  title: string;
  body: string;
  category: string;
  clipIds: string[];
  elsewhere: boolean;
}

export function ComposePost({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const me = useMe();
  const [point, setPoint] = useState<LatLon | null>(null);
  const clips = useQuery({ queryKey: ['clips', 'for-post'], queryFn: () => unwrap(api.GET('/api/v1/clips', { params: { query: { limit: 50 } } })) });
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { title: '', body: '', category: '', clipIds: [], elsewhere: false },
    validate: {
      title: (v) => (v.trim() ? (v.trim().length > 120 ? 'At most 120 characters' : null) : 'Give the post a title'),
      body: (v) => (v.trim() ? (v.trim().length > 2000 ? 'At most 2,000 characters' : null) : 'Say what happened'),
      category: (v) => (v ? null : 'Choose a category'),
    },
  });
  const send = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/feed/posts', {
      body: { title: v.title, body: v.body, category: v.category, ...(v.clipIds.length ? { clipIds: v.clipIds } : {}), ...(v.elsewhere && point ? { location: point } : {}) },
    })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['feed'] });
      form.reset();
      onDone();
    },
  });
  const home = me.data?.home ?? null;
  const clipOptions = (clips.data?.items ?? []).map((c) => ({ value: c.id, label: `${formatTime(c.startedAt)} (${c.kind.replace(/_/g, ' ')})${c.e2ee ? ', end-to-end encrypted: cannot be attached' : ''}`, disabled: c.e2ee }));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="compose-title">
      <Title order={2} size="h3" id="compose-title" mb="sm">New post</Title>
      <form onSubmit={form.onSubmit((v) => send.mutate(v))} noValidate>
        <Stack>
          {send.isError && <Alert color="red" role="alert">{send.error.message}</Alert>}
          <TextInput label="Title" required maxLength={120} {...form.getInputProps('title')} />
          <Textarea label="What happened" required autosize minRows={3} maxLength={2000} description={`${form.values.body.length} / 2,000 characters`} {...form.getInputProps('body')} />
          <NativeSelect label="Category" required data={[{ value: '', label: 'Choose one' }, ...CATEGORIES.map((c) => ({ value: c.value, label: c.label }))]} {...form.getInputProps('category')} />
          <Checkbox.Group label="Attach my clips (up to 3)" {...form.getInputProps('clipIds')}
            description="An attached clip is shared with the public, with your privacy zones blacked out, and the sharing goes on the public log. Deleting the post withdraws it.">
            <Stack gap={4} mt={4}>
              {clipOptions.length === 0 && <Text size="sm">You have no clips.</Text>}
              {clipOptions.slice(0, 12).map((c) => <Checkbox key={c.value} value={c.value} label={c.label} disabled={c.disabled || (form.values.clipIds.length >= 3 && !form.values.clipIds.includes(c.value))} />)}
            </Stack>
          </Checkbox.Group>
          <Checkbox label="Place the post somewhere other than my home" {...form.getInputProps('elsewhere', { type: 'checkbox' })} />
          {form.values.elsewhere && (
            <Stack gap={4}>
              <MapView label="Click the map to place the post" center={home ?? undefined} markers={point ? [{ id: 'here', ...point, label: 'The post goes here' }] : []} onMapClick={setPoint} height={240} />
              <Text size="sm">{point ? `Chosen: ${point.lat.toFixed(4)}, ${point.lon.toFixed(4)}. Others see a point within about 150 m of it.` : 'No point chosen: the post goes at your home.'}</Text>
            </Stack>
          )}
          <Text size="sm" c="dimmed">Others see the place only to within about 150 m. Only you see where exactly.</Text>
          <Group><Button type="submit" loading={send.isPending}>Post</Button></Group>
        </Stack>
      </form>
    </Paper>
  );
}
