// A resident's own upload (POST /api/v1/clips, kind "manual"): pick a camera
// and an MP4, check the times, and watch it go up. The same bytes again on the
// same camera answer 200 with duplicate: true, and the page says so instead of
// pretending a second clip was made (issue 19).
import { Alert, Button, FileInput, Group, Paper, Progress, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, csrfToken } from '../../api/client';
import { applyServerErrors } from '../../lib/forms';
import { bytes, toLocalInput } from '../../lib/format';
import type { Camera } from './cameraApi';

type Uploaded = { id: string; sha256: string; duplicate: boolean };
type Values = { cameraId: string | null; file: File | null; startedAt: string; endedAt: string };

/**
 * XMLHttpRequest rather than fetch: fetch reports no upload progress. The body
 * is the file itself (video/mp4), as the camera agent sends it; the metadata
 * goes in the query string (src/clips/routes.ts).
 */
function sendClip(v: { cameraId: string; file: File; startedAt: Date; endedAt: Date }, onProgress: (fraction: number) => void): Promise<Uploaded> {
  const q = new URLSearchParams({ cameraId: v.cameraId, startedAt: v.startedAt.toISOString(), endedAt: v.endedAt.toISOString(), kind: 'manual' });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/clips?${q}`);
    xhr.setRequestHeader('content-type', 'video/mp4');
    const t = csrfToken();
    if (t) xhr.setRequestHeader('X-CSRF-Token', t);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'Porchlight could not be reached. Check your connection and try again.'));
    xhr.onload = () => {
      let body: { detail?: string; title?: string; errors?: { field: string; message: string }[] } & Partial<Uploaded> = {};
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : {};
      } catch {
        // An answer that is not JSON (a proxy's error page) falls through to the status below.
      }
      if (xhr.status === 200 || xhr.status === 201) resolve(body as Uploaded);
      else reject(new ApiError(xhr.status, body.detail ?? body.title ?? `upload failed (${xhr.status})`, body.errors ?? []));
    };
    xhr.send(v.file);
  });
}

/** The video's length from its own metadata, read in the browser; null when it cannot be read. */
function videoDurationMs(file: File): Promise<number | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    const done = (ms: number | null) => {
      URL.revokeObjectURL(url);
      resolve(ms);
    };
    video.preload = 'metadata';
    video.onloadedmetadata = () => done(Number.isFinite(video.duration) ? Math.round(video.duration * 1000) : null);
    video.onerror = () => done(null);
    video.src = url;
  });
}

export function UploadClip({ cameras }: { cameras: Camera[] }) {
  const qc = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  // End-to-end cameras take only sealed envelopes from their device; the server refuses a plain MP4 for them.
  const usable = cameras.filter((c) => !c.e2ee);
  const form = useForm<Values>({
    initialValues: { cameraId: usable[0]?.id ?? null, file: null, startedAt: '', endedAt: '' },
    validate: {
      cameraId: (v) => (v ? null : 'Choose the camera that recorded it'),
      file: (v) => (v ? null : 'Choose an MP4 file'),
      startedAt: (v) => (v ? null : 'When the recording began'),
      endedAt: (v, all) => (!v ? 'When the recording ended' : all.startedAt && new Date(v) < new Date(all.startedAt) ? 'must not be before the start' : null),
    },
  });
  const upload = useMutation({
    mutationFn: (v: Values) => sendClip({ cameraId: v.cameraId!, file: v.file!, startedAt: new Date(v.startedAt), endedAt: new Date(v.endedAt) }, setProgress),
    onMutate: () => setProgress(0),
    onSettled: () => setProgress(null),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['clips'] }),
    onError: (err) => void applyServerErrors(form, err),
  });
  const chooseFile = async (file: File | null) => {
    form.setFieldValue('file', file);
    upload.reset();
    if (!file) return;
    // Times from the file: it was last written when recording ended, and its metadata says for how long.
    const end = new Date(Math.min(file.lastModified || Date.now(), Date.now()));
    const ms = (await videoDurationMs(file)) ?? 60_000;
    form.setValues({ startedAt: toLocalInput(new Date(end.getTime() - Math.max(ms, 1000))), endedAt: toLocalInput(end) });
  };

  if (!usable.length) return null;
  const file = form.values.file;
  return (
    <Paper withBorder p="md" mb="md" component="form" onSubmit={form.onSubmit((v) => upload.mutate(v))} noValidate aria-label="Upload a clip">
      <Title order={2} size="h3" mb="xs">Upload a clip</Title>
      <Text size="sm" mb="sm">An MP4 from your own camera or phone. It is stored encrypted like any other clip, and only you can see it until you choose to share it.</Text>
      <Stack>
        {upload.data?.duplicate && (
          <Alert color="yellow" role="status" title="This clip was already uploaded" data-testid="upload-duplicate">
            The camera already holds a clip with exactly these bytes, so nothing new was stored.
          </Alert>
        )}
        {upload.data && !upload.data.duplicate && <Alert color="green" role="status" data-testid="upload-done">Uploaded. The clip is in the list below.</Alert>}
        {upload.isError && !(upload.error instanceof ApiError && upload.error.fieldErrors.length) && (
          <Alert color="red" role="alert" title="The clip was not uploaded">{upload.error.message}</Alert>
        )}
        <Group grow align="flex-start" wrap="wrap">
          <Select label="Camera" data={usable.map((c) => ({ value: c.id, label: c.name }))} allowDeselect={false} miw={180} {...form.getInputProps('cameraId')} />
          <FileInput
            label="Video file"
            placeholder="Choose an MP4"
            accept="video/mp4"
            clearable
            clearButtonProps={{ 'aria-label': 'Clear the chosen file' }}
            miw={180}
            description={file ? bytes(file.size) : undefined}
            {...form.getInputProps('file')}
            onChange={(f) => void chooseFile(f)}
          />
        </Group>
        <Group grow align="flex-start" wrap="wrap">
          <TextInput type="datetime-local" label="Recording began" required miw={180} {...form.getInputProps('startedAt')} />
          <TextInput type="datetime-local" label="Recording ended" required miw={180} {...form.getInputProps('endedAt')} />
        </Group>
        {progress !== null && (
          <Progress.Root data-testid="upload-progress">
            <Progress.Section value={Math.round(progress * 100)} aria-label={`Uploading: ${Math.round(progress * 100)}%`} />
          </Progress.Root>
        )}
        <Button type="submit" loading={upload.isPending} w="fit-content">Upload</Button>
      </Stack>
    </Paper>
  );
}
