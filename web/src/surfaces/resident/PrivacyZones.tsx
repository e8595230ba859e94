// Privacy-zone editor: polygons drawn over a still frame of the camera (its
// newest clip's thumbnail), in normalised frame coordinates (0..1 from the top
// left), as the server stores them. Mouse: click to add points. Keyboard: the
// frame takes focus, arrow keys move a crosshair (Shift for bigger steps),
// Enter adds a point. Every shared copy has these areas blacked out.
import { Alert, Anchor, Button, Container, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';
import { useCamera, type Camera } from './cameraApi';

type Pt = [number, number];
const clamp = (n: number) => Math.min(1, Math.max(0, n));

export function PrivacyZonesPage() {
  const { id = '' } = useParams();
  const camera = useCamera(id);
  return (
    <Container size="md">
      <Anchor component={Link} to={`/home/cameras/${id}`} size="sm">← Camera</Anchor>
      <QueryState q={camera}>{(c) => <Editor key={c.id} camera={c} />}</QueryState>
    </Container>
  );
}

function useStillFrame(cameraId: string) {
  return useQuery({
    queryKey: ['clips', 'still', cameraId],
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/clips', { params: { query: { cameraId, limit: 5 } } }));
      const clip = page.items.find((c) => c.thumbnail);
      return clip ? `/api/v1/clips/${clip.id}/thumbnail` : null;
    },
  });
}

function Editor({ camera }: { camera: Camera }) {
  const qc = useQueryClient();
  const still = useStillFrame(camera.id);
  const [zones, setZones] = useState<Pt[][]>(camera.privacyZones.map((z) => z.map((p) => [p[0], p[1]] as Pt)));
  const [draft, setDraft] = useState<Pt[]>([]);
  const [cursor, setCursor] = useState<Pt>([0.5, 0.5]);
  const [announce, setAnnounce] = useState('');
  const frame = useRef<HTMLDivElement>(null);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/cameras/{id}/privacy-zones', { params: { path: { id: camera.id } }, body: { zones } })),
    onSuccess: (c) => qc.setQueryData(['cameras', camera.id], c),
  });
  // A changed drawing is no longer "saved".
  const { reset } = save;
  useEffect(() => reset(), [zones, reset]);

  const addPoint = (p: Pt) => {
    setDraft((d) => [...d, p]);
    setAnnounce(`Point ${draft.length + 1} added at ${Math.round(p[0] * 100)}% across, ${Math.round(p[1] * 100)}% down`);
  };
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    addPoint([clamp((e.clientX - r.left) / r.width), clamp((e.clientY - r.top) / r.height)]);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 0.1 : 0.02;
    const moves: Record<string, Pt> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[e.key]) {
      e.preventDefault();
      setCursor(([x, y]) => [clamp(x + moves[e.key][0]), clamp(y + moves[e.key][1])]);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      addPoint(cursor);
    }
  };
  const finish = () => {
    if (draft.length < 3) return;
    setZones((z) => [...z, draft]);
    setDraft([]);
    setAnnounce(`Zone ${zones.length + 1} finished with ${draft.length} points`);
  };
  const pts = (ring: Pt[]) => ring.map(([x, y]) => `${x},${y}`).join(' ');

  return (
    <Stack mt="sm">
      <Title order={1}>Privacy zones: {camera.name}</Title>
      <Text size="sm">Black out what is not yours to share. Click the frame to add the corners of a zone, then finish it. With a keyboard: focus the frame, move the crosshair with the arrow keys and press Enter to add a point.</Text>
      {save.isError && <Alert color="red" role="alert">{save.error.message}</Alert>}
      {save.isSuccess && <Alert color="green" role="status">Privacy zones saved.</Alert>}
      <Paper withBorder p={0} style={{ overflow: 'hidden' }}>
        <div
          ref={frame}
          tabIndex={0}
          role="application"
          aria-label="Camera frame. Arrow keys move the crosshair, Enter adds a point."
          aria-describedby="zone-status"
          onClick={onClick}
          onKeyDown={onKey}
          style={{ position: 'relative', aspectRatio: '16 / 9', background: '#343a40', cursor: 'crosshair' }}
        >
          {still.data ? (
            <img src={still.data} alt={`Still frame from ${camera.name}`} style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', objectFit: 'fill' }} />
          ) : (
            <Text c="white" ta="center" pt="xl" style={{ position: 'relative' }}>
              {still.isPending ? 'Loading a still frame…' : 'No still frame yet: zones can be drawn now and will line up once the camera uploads a clip.'}
            </Text>
          )}
          <svg viewBox="0 0 1 1" preserveAspectRatio="none" style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }} aria-hidden>
            {zones.map((z, i) => (
              <polygon key={i} points={pts(z)} fill="rgba(0,0,0,0.75)" stroke="#ffd43b" strokeWidth={0.004} />
            ))}
            {draft.length > 0 && <polyline points={pts(draft)} fill="rgba(255,212,59,0.25)" stroke="#ffd43b" strokeWidth={0.005} strokeDasharray="0.01 0.008" />}
            {draft.map(([x, y], i) => (
              <circle key={i} cx={x} cy={y} r={0.008} fill="#ffd43b" />
            ))}
            <g stroke="#fff" strokeWidth={0.004}>
              <line x1={cursor[0] - 0.02} y1={cursor[1]} x2={cursor[0] + 0.02} y2={cursor[1]} />
              <line x1={cursor[0]} y1={cursor[1] - 0.03} x2={cursor[0]} y2={cursor[1] + 0.03} />
            </g>
          </svg>
        </div>
      </Paper>
      <Text id="zone-status" size="sm" aria-live="polite">
        {announce || `${zones.length} zone${zones.length === 1 ? '' : 's'}; drawing ${draft.length} point${draft.length === 1 ? '' : 's'}.`}
      </Text>
      <Group>
        <Button onClick={finish} disabled={draft.length < 3}>Finish zone</Button>
        <Button variant="default" onClick={() => setDraft((d) => d.slice(0, -1))} disabled={!draft.length}>Undo point</Button>
        <Button variant="default" onClick={() => setDraft([])} disabled={!draft.length}>Discard drawing</Button>
      </Group>
      {zones.length > 0 && (
        <List>
          {zones.map((z, i) => (
            <List.Item key={i}>
              Zone {i + 1} ({z.length} points){' '}
              <Button size="compact-xs" variant="default" onClick={() => setZones((all) => all.filter((_, j) => j !== i))}>Remove zone {i + 1}</Button>
            </List.Item>
          ))}
        </List>
      )}
      <Button onClick={() => save.mutate()} loading={save.isPending} w="fit-content">Save privacy zones</Button>
    </Stack>
  );
}
