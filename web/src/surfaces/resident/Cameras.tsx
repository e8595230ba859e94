// My cameras on a map and in a table, and the form to add one. A click on the
// map sets the new camera's location; the coordinates can also be typed.
import { Alert, Badge, Button, Checkbox, Container, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { applyServerErrors, shownOnFields } from '../../lib/forms';
import { useMe } from '../../lib/session';
import { KINDS, useCameras, type CameraKind } from './cameraApi';

export function CamerasPage() {
  const cameras = useCameras();
  const me = useMe();
  const [adding, setAdding] = useState(false);
  const home = me.data?.home ?? undefined;
  return (
    <Container size="lg">
      <Group justify="space-between" mb="md">
        <Title order={1}>My cameras</Title>
        {!adding && <Button onClick={() => setAdding(true)}>Add a camera</Button>}
      </Group>
      {adding && <AddCamera home={home} onDone={() => setAdding(false)} />}
      <QueryState q={cameras}>
        {(list) => (
          <Stack>
            <MapView label="Map of my cameras" center={home} markers={list.map((c) => ({ id: c.id, lat: c.location.lat, lon: c.location.lon, label: c.name }))} />
            {list.length === 0 ? (
              <Empty title="No cameras yet">Add a camera, then enrol its device with a one-time code so it can upload clips.</Empty>
            ) : (
              <TableScroll minWidth={520}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Name</Table.Th>
                      <Table.Th>Kind</Table.Th>
                      <Table.Th>Device</Table.Th>
                      <Table.Th>Community requests</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((c) => (
                      <Table.Tr key={c.id}>
                        <Table.Td>
                          <Link to={`/home/cameras/${c.id}`}>{c.name}</Link>
                          {c.e2ee && <Badge ml="xs" color="grape" variant="filled" size="sm">end-to-end encrypted</Badge>}
                        </Table.Td>
                        <Table.Td>{c.kind}</Table.Td>
                        <Table.Td>{c.device.enrolled ? <Badge color="teal" variant="filled">enrolled</Badge> : <Badge color="gray" variant="filled">not enrolled</Badge>}</Table.Td>
                        <Table.Td>{c.communityRequests ? 'Yes' : 'No'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableScroll>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}

type NewCamera = { name: string; kind: CameraKind; location: { lat: number | ''; lon: number | '' }; communityRequests: boolean; e2ee: boolean };

function AddCamera({ home, onDone }: { home?: { lat: number; lon: number }; onDone: () => void }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const form = useForm<NewCamera>({
    initialValues: { name: '', kind: 'doorbell', location: home ?? { lat: '', lon: '' }, communityRequests: true, e2ee: false },
    validate: {
      name: (v) => (v.trim() ? null : 'Give the camera a name'),
      location: {
        lat: (v) => (v === '' ? 'Click the map or enter the latitude' : null),
        lon: (v) => (v === '' ? 'Enter the longitude too' : null),
      },
    },
  });
  const create = useMutation({
    mutationFn: (v: NewCamera) => unwrap(api.POST('/api/v1/cameras', { body: { ...v, location: { lat: Number(v.location.lat), lon: Number(v.location.lon) } } })),
    onSuccess: async (cam) => {
      await qc.invalidateQueries({ queryKey: ['cameras'] });
      onDone();
      navigate(`/home/cameras/${cam.id}`);
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  const { lat, lon } = form.values.location;
  const loc = lat === '' || lon === '' ? null : { lat, lon };
  return (
    <Paper withBorder p="md" mb="lg" component="form" onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate aria-label="Add a camera">
      <Title order={2} size="h3" mb="sm">Add a camera</Title>
      <Stack>
        {create.isError && !shownOnFields(form, create.error) && <Alert color="red" role="alert" title="Could not add the camera">{create.error.message}</Alert>}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Name" required maxLength={100} {...form.getInputProps('name')} />
          <Select label="Kind" data={KINDS} allowDeselect={false} {...form.getInputProps('kind')} />
        </SimpleGrid>
        <Text size="sm" fw={500}>Location: click the map or type the coordinates</Text>
        <MapView label="Map: click to place the camera" height={260} center={loc ?? home} markers={loc ? [{ id: 'new', label: 'New camera', ...loc }] : []} onMapClick={(p) => form.setFieldValue('location', p)} />
        <Group grow>
          <NumberInput label="Latitude" required decimalScale={6} min={-90} max={90} {...form.getInputProps('location.lat')} />
          <NumberInput label="Longitude" required decimalScale={6} min={-180} max={180} {...form.getInputProps('location.lon')} />
        </Group>
        <Checkbox label="Receive community requests from agencies for this camera" {...form.getInputProps('communityRequests', { type: 'checkbox' })} />
        <Checkbox
          label="End-to-end encrypted: the camera seals each clip to your own key, so the server cannot read it"
          description="What it costs: no thumbnails and no redaction on the server (the camera burns privacy zones in itself), no release on a warrant or in an emergency, and clips you can open only with your key: lose the key and its backup, and the clips are lost. The camera uploads nothing until you have registered a key."
          {...form.getInputProps('e2ee', { type: 'checkbox' })}
        />
        <Group>
          <Button type="submit" loading={create.isPending}>Add camera</Button>
          <Button variant="default" onClick={onDone}>Cancel</Button>
        </Group>
      </Stack>
    </Paper>
  );
}
