// One post in the feed: its text (as text), its category or agency alert mark
// with the agency's verified profile, its clips, comments, and the report,
// edit and delete actions. A removed post shows only its tombstone.
import { Alert, Anchor, Badge, Button, Card, Group, Modal, NativeSelect, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ClipPlayer } from '../../components/ClipPlayer';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { formatTime } from '../../lib/format';
import { REASONS, categoryLabel, commentsOf, type Post, type Reason } from './feedApi';

export function PostCard({ post, focused }: { post: Post; focused: boolean }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(focused);
  const [playing, setPlaying] = useState<string | null>(null);
  const [reporting, setReporting] = useState<{ commentId?: string } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focused) ref.current?.scrollIntoView({ block: 'center' });
  }, [focused]);
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/feed/posts/{id}', { params: { path: { id: post.id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['feed'] }),
  });
  const label = post.title ? `Post: ${post.title}` : 'Removed post';
  return (
    <Card withBorder ref={ref} component="article" aria-label={label} data-testid="feed-post" data-post-id={post.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Group gap="xs">
          {post.kind === 'agency_alert' ? <Badge color="orange" variant="light">Agency alert</Badge> : <Badge variant="light">{categoryLabel(post.category)}</Badge>}
          {post.agency && <Text size="sm" fw={600}>{post.agency.name}{post.agency.verified && <Badge ml={6} size="xs" color="teal" variant="light">verified agency</Badge>}</Text>}
        </Group>
        <Text size="xs" c="dimmed">{formatTime(post.createdAt)}{post.distanceMi !== null ? ` · ${post.distanceMi} mi away` : ''}</Text>
      </Group>
      {post.removed ? (
        <Alert color="gray" mt="xs" role="note" data-testid="tombstone">{post.removed.tombstone}</Alert>
      ) : (
        <>
          <Text fw={700} mt="xs" data-testid="post-title">{post.title}</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-line' }} data-testid="post-body">{post.body}</Text>
          <Text size="xs" c="dimmed" mt={4}>by {post.author.mine ? 'you' : post.author.name}{post.editedAt ? ' · edited' : ''}</Text>
          {post.clips.length > 0 && (
            <Group gap="xs" mt="xs">
              {post.clips.map((c, i) => <Button key={c.disclosureId} size="compact-sm" variant="light" onClick={() => setPlaying(c.videoUrl)}>Play clip {i + 1}</Button>)}
            </Group>
          )}
        </>
      )}
      <Group gap="sm" mt="sm">
        <Anchor component="button" type="button" size="sm" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? 'Hide comments' : `Comments (${post.commentCount})`}
        </Anchor>
        {!post.removed && !post.author.mine && <Anchor component="button" type="button" size="sm" onClick={() => setReporting({})}>Report</Anchor>}
        {post.author.mine && !post.removed && <Anchor component="button" type="button" size="sm" c="red.8" onClick={() => window.confirm('Delete this post? Its clips are withdrawn.') && remove.mutate()}>Delete</Anchor>}
        {post.editableUntil && <EditLink post={post} />}
      </Group>
      {open && <Comments post={post} onReport={(commentId) => setReporting({ commentId })} />}
      <ReportModal postId={post.id} target={reporting} onClose={() => setReporting(null)} />
      <ClipPlayer src={playing} title={`Clip on "${post.title}"`} onClose={() => setPlaying(null)} details="A public copy, with the owner's privacy zones blacked out." />
    </Card>
  );
}

function EditLink({ post }: { post: Post }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const form = useForm({
    initialValues: { title: post.title, body: post.body },
    validate: { title: (v) => (v.trim() ? null : 'Give the post a title'), body: (v) => (v.trim() ? null : 'Say what happened') },
  });
  const save = useMutation({
    mutationFn: (v: { title: string; body: string }) => unwrap(api.PATCH('/api/v1/feed/posts/{id}', { params: { path: { id: post.id } }, body: { ...v, category: post.category } })),
    onSuccess: () => {
      setEditing(false);
      void qc.invalidateQueries({ queryKey: ['feed'] });
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <>
      <Anchor component="button" type="button" size="sm" onClick={() => setEditing(true)}>Edit (until {formatTime(post.editableUntil!)})</Anchor>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit the post">
        <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
          <Stack>
            {save.isError && !shownOnFields(form, save.error) && <Alert color="red" role="alert">{save.error.message}</Alert>}
            <TextInput label="Title" required {...form.getInputProps('title')} />
            <Textarea label="What happened" required autosize minRows={3} {...form.getInputProps('body')} />
            <Group><Button type="submit" loading={save.isPending}>Save</Button></Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

function Comments({ post, onReport }: { post: Post; onReport: (commentId: string) => void }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['feed-comments', post.id], queryFn: () => commentsOf(post.id) });
  const form = useForm({ initialValues: { body: '' }, validate: { body: (v) => (v.trim() ? null : 'Write the comment first') } });
  const add = useMutation({
    mutationFn: (v: { body: string }) => unwrap(api.POST('/api/v1/feed/posts/{id}/comments', { params: { path: { id: post.id } }, body: v })),
    onError: (err) => void applyServerErrors(form, err),
    onSuccess: () => {
      form.reset();
      void qc.invalidateQueries({ queryKey: ['feed-comments', post.id] });
      void qc.invalidateQueries({ queryKey: ['feed'] });
    },
  });
  return (
    <Stack gap="xs" mt="sm" data-testid="comments">
      {q.isError && <Alert color="red" role="alert">{q.error.message}</Alert>}
      {q.data?.items.map((c) => (
        <Card key={c.id} withBorder padding="xs" data-testid="comment">
          {c.removed ? <Text size="sm" c="dimmed" data-testid="tombstone">{c.removed.tombstone}</Text> : (
            <>
              <Text size="sm" style={{ whiteSpace: 'pre-line' }}>{c.body}</Text>
              <Group gap="xs">
                <Text size="xs" c="dimmed">{c.author.mine ? 'you' : c.author.name} · {formatTime(c.createdAt)}</Text>
                {!c.author.mine && <Anchor component="button" type="button" size="xs" onClick={() => onReport(c.id)}>Report</Anchor>}
              </Group>
            </>
          )}
        </Card>
      ))}
      {!post.removed && (
        <form onSubmit={form.onSubmit((v) => add.mutate(v))} noValidate>
          <Group align="flex-end">
            <Textarea label="Add a comment" autosize minRows={1} maxLength={1000} {...form.getInputProps('body')} style={{ flex: 1 }} />
            <Button type="submit" loading={add.isPending}>Comment</Button>
          </Group>
          {add.isError && !shownOnFields(form, add.error) && <Alert color="red" role="alert" mt="xs">{add.error.message}</Alert>}
        </form>
      )}
    </Stack>
  );
}

function ReportModal({ postId, target, onClose }: { postId: string; target: { commentId?: string } | null; onClose: () => void }) {
  const form = useForm<{ reason: Reason | ''; note: string }>({
    initialValues: { reason: '', note: '' },
    validate: { reason: (v) => (v ? null : 'Choose a reason') },
  });
  const send = useMutation({
    mutationFn: (v: { reason: Reason; note: string }) => unwrap(api.POST('/api/v1/feed/posts/{id}/reports', {
      params: { path: { id: postId } },
      body: { reason: v.reason, ...(target?.commentId ? { commentId: target.commentId } : {}), ...(v.note.trim() ? { note: v.note } : {}) },
    })),
    onError: (err) => void applyServerErrors(form, err),
  });
  const close = () => {
    send.reset();
    form.reset();
    onClose();
  };
  return (
    <Modal opened={target !== null} onClose={close} title={target?.commentId ? 'Report this comment' : 'Report this post'}>
      {send.isSuccess ? (
        <Stack>
          <Alert color="green" role="status">Thank you. A reviewer will look at it.</Alert>
          <Group><Button onClick={close}>Close</Button></Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => { if (v.reason) send.mutate({ reason: v.reason, note: v.note }); })} noValidate>
          <Stack>
            {send.isError && !shownOnFields(form, send.error) && <Alert color="red" role="alert">{send.error.message}</Alert>}
            <NativeSelect label="Reason" required data={[{ value: '', label: 'Choose one' }, ...REASONS.map((r) => ({ value: r.value, label: r.label }))]} {...form.getInputProps('reason')} />
            <Textarea label="Anything the reviewer should know (optional)" maxLength={500} {...form.getInputProps('note')} />
            <Group><Button type="submit" loading={send.isPending}>Send the report</Button></Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
