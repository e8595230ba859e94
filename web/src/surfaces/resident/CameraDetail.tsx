// One camera: settings, device enrolment (a one-time code for the camera
// agent), device token rotation and revocation, retention, and the way to
// privacy zones.
import { Alert, Anchor, Button, Checkbox, Code, Container, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { MapView } from '../../components/MapView';
import { QueryState } from '../../components/States';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { formatTime } from '../../lib/format';
import { CameraRetention } from './CameraRetention';
import { KINDS, useCamera, type Camera, type CameraKind } from './cameraApi';

export function CameraDetailPage() {
  const { id = '' } = useParams();
  const camera = useCamera(id);
  return (
    <Container size="md">
      <Anchor component={Link} to="/home" size="sm">← My cameras</Anchor>
      <QueryState q={camera}>
        {(c) => (
          <Stack mt="sm">
            <Title order={1}>{c.name}</Title>
            <Settings camera={c} />
            <Enrolment camera={c} />
            <CameraRetention cameraId={c.id} />
            <Paper withBorder p="md">
              <Title order={2} size="h3">Privacy zones</Title>
              <Text size="sm" my="xs">
                {c.privacyZones.length} zone{c.privacyZones.length === 1 ? '' : 's'}. Areas you black out (a neighbour&apos;s window, your garden) are burned into every copy you share.
              </Text>
              <Button component={Link} to={`/home/cameras/${c.id}/zones`} variant="default">Edit privacy zones</Button>
            </Paper>
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}

type SettingsValues = {
  name: string;
  kind: CameraKind;
  location: { lat: number; lon: number };
  heading: number | '';
  fovDegrees: number | '';
  communityRequests: boolean;
};

function Settings({ camera }: { camera: Camera }) {
  const qc = useQueryClient();
  const form = useForm<SettingsValues>({
    initialValues: {
      name: camera.name,
      kind: camera.kind,
      location: camera.location,
      heading: camera.heading ?? '',
      fovDegrees: camera.fovDegrees ?? '',
      communityRequests: camera.communityRequests,
    },
    validate: { name: (v) => (v.trim() ? null : 'Give the camera a name') },
  });
  const save = useMutation({
    mutationFn: (v: SettingsValues) =>
      unwrap(api.PATCH('/api/v1/cameras/{id}', {
        params: { path: { id: camera.id } },
        body: { ...v, heading: v.heading === '' ? null : v.heading, fovDegrees: v.fovDegrees === '' ? null : v.fovDegrees },
      })),
    onSuccess: (c) => {
      qc.setQueryData(['cameras', camera.id], c);
      void qc.invalidateQueries({ queryKey: ['cameras'], exact: true });
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  const { name, location: loc } = form.values;
  // A number field left empty answers ''; a location needs both numbers, so an empty one keeps the last.
  const setCoord = (axis: 'lat' | 'lon') => (v: string | number) => {
    if (v !== '') form.setFieldValue(`location.${axis}`, Number(v));
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate aria-label="Camera settings">
      <Title order={2} size="h3" mb="sm">Settings</Title>
      <Stack>
        {save.isError && !shownOnFields(form, save.error) && <Alert color="red" role="alert">{save.error.message}</Alert>}
        {save.isSuccess && <Alert color="green" role="status">Saved.</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Name" required maxLength={100} {...form.getInputProps('name')} />
          <Select label="Kind" data={KINDS} allowDeselect={false} {...form.getInputProps('kind')} />
          <NumberInput label="Heading (degrees, 0 = north)" min={0} max={359} {...form.getInputProps('heading')} />
          <NumberInput label="Field of view (degrees)" min={1} max={360} {...form.getInputProps('fovDegrees')} />
        </SimpleGrid>
        <MapView label="Map: click to move the camera" height={220} markers={[{ id: camera.id, label: name, ...loc }]} onMapClick={(p) => form.setFieldValue('location', p)} />
        <Group grow>
          <NumberInput label="Latitude" decimalScale={6} min={-90} max={90} {...form.getInputProps('location.lat')} onChange={setCoord('lat')} />
          <NumberInput label="Longitude" decimalScale={6} min={-180} max={180} {...form.getInputProps('location.lon')} onChange={setCoord('lon')} />
        </Group>
        <Checkbox label="Receive community requests for this camera" {...form.getInputProps('communityRequests', { type: 'checkbox' })} />
        <Text size="sm">Mode: {camera.e2ee ? 'end-to-end encrypted (cannot be changed). Clips are sealed on the camera to your key, with privacy zones burned in by the camera first: no server thumbnails, no warrant or emergency release, and a lost key means lost clips.' : 'standard'}</Text>
        {camera.e2ee && <Anchor component={Link} to="/home/key" size="sm">Your end-to-end key: make it, back it up, or restore it in this browser</Anchor>}
        <Button type="submit" loading={save.isPending} w="fit-content">Save settings</Button>
      </Stack>
    </Paper>
  );
}

function Enrolment({ camera }: { camera: Camera }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const refresh = () => qc.invalidateQueries({ queryKey: ['cameras'] });
  const code = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/cameras/{id}/enrolment-code', { params: { path: { id: camera.id } } })) });
  const rotate = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/cameras/{id}/device-token/rotate', { params: { path: { id: camera.id } } })) });
  const revoke = useMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/cameras/{id}/device-token', { params: { path: { id: camera.id } } })), onSuccess: refresh });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/cameras/{id}', { params: { path: { id: camera.id } } })),
    onSuccess: async () => {
      await refresh();
      navigate('/home');
    },
  });
  const error = code.error ?? rotate.error ?? revoke.error ?? remove.error;
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Device</Title>
      <Text size="sm" my="xs">
        {camera.device.enrolled ? 'A device is enrolled. It signs every clip with its own key, so clips can later be shown authentic.' : 'No device is enrolled yet. Create a one-time code and give it to the camera agent.'}
      </Text>
      {error && <Alert color="red" role="alert" mb="sm">{error.message}</Alert>}
      {code.data && (
        <Alert color="indigo" title="One-time enrolment code" mb="sm">
          <Code className="mono" data-testid="enrolment-code" fz="lg">{code.data.code}</Code>
          <Text size="sm" mt="xs">Valid until {formatTime(code.data.expiresAt)}. On the camera or its bridge run:</Text>
          <Code block className="mono">{`porchlight camera enroll --server ${window.location.origin} --code ${code.data.code}`}</Code>
        </Alert>
      )}
      {rotate.data && (
        <Alert color="yellow" title="New device token (shown once)" mb="sm">
          <Code block className="mono">{rotate.data.token}</Code>
        </Alert>
      )}
      <Group>
        <Button onClick={() => code.mutate()} loading={code.isPending}>Create enrolment code</Button>
        {camera.device.enrolled && (
          <>
            <Button variant="default" onClick={() => rotate.mutate()} loading={rotate.isPending}>Rotate device token</Button>
            <Button variant="default" color="red" onClick={() => revoke.mutate()} loading={revoke.isPending}>Revoke device</Button>
          </>
        )}
        <Button variant="default" onClick={() => window.confirm(`Remove ${camera.name}? Its clips must be deleted first.`) && remove.mutate()} loading={remove.isPending}>
          Remove camera
        </Button>
      </Group>
    </Paper>
  );
}
