// The community request form: draw the area (Leaflet + Geoman) or give a
// centre and radius; the geodesic area (turf) and every limit are checked as
// you type, before anything is sent. The server checks them all again.
import { Alert, Button, Container, Group, List, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput, Textarea, ThemeIcon, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from '@mantine/form';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { DrawAreaMap } from '../../components/DrawAreaMap';
import type { LatLon } from '../../components/MapView';
import { areaSqMi, checkArea, checkJurisdiction, checkWindow, circleRing, fromPolygon, toPolygon, type Check } from '../../lib/area';
import { toLocalInput } from '../../lib/format';
import { applyServerErrors } from '../../lib/forms';
import { createRequest, INCIDENT_TYPES, useAgencyId, useMyAgency, useRequestQuota } from './agencyApi';

function CheckLine({ check, testId }: { check: Check; testId: string }) {
  return (
    <List.Item
      data-testid={testId}
      data-ok={check.ok}
      icon={<ThemeIcon color={check.ok ? 'teal' : 'red'} size={18} radius="xl" aria-hidden>{check.ok ? '✓' : '!'}</ThemeIcon>}
    >
      <Text size="sm"><span className="visually-hidden">{check.ok ? 'OK: ' : 'Problem: '}</span>{check.message}</Text>
    </List.Item>
  );
}

// No value for the area: the ring lives on the map, and the server's body.area error is set on 'area' all the same.
type Values = { caseNumber: string; incidentType: string; description: string; investigatorContact: string; window: { start: string; end: string } };

export function RequestFormPage() {
  const agency = useMyAgency();
  const agencyId = useAgencyId();
  const quota = useRequestQuota(agencyId).data;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const now = useMemo(() => new Date(), []);
  const [ring, setRing] = useState<LatLon[]>([]);
  const [centre, setCentre] = useState<{ lat: number | ''; lon: number | ''; radius: number | '' }>({ lat: '', lon: '', radius: 250 });
  // The typed fields on @mantine/form, so the server's RFC 9457 field errors
  // (body.caseNumber, body.window.end, …) land on the fields that caused them;
  // body.area and body.window, which have no single input, show under their sections.
  const form = useForm<Values>({
    initialValues: {
      caseNumber: '', incidentType: 'burglary', description: '', investigatorContact: '',
      window: { start: toLocalInput(new Date(now.getTime() - 3 * 3600_000)), end: toLocalInput(new Date(now.getTime() - 60 * 60_000)) },
    },
    validate: {
      caseNumber: (v) => (v.trim() ? null : 'Enter the case number'),
      investigatorContact: (v) => (v.trim() ? null : 'Enter how the investigator can be reached'),
    },
  });
  const { window: win, caseNumber, investigatorContact, description } = form.values;

  const jurisdiction = agency.data?.jurisdiction ?? null;
  const areaCheck = checkArea(ring);
  const jurCheck = checkJurisdiction(ring, jurisdiction);
  const windowCheck = checkWindow(win.start ? new Date(win.start) : null, win.end ? new Date(win.end) : null);
  const ready = areaCheck.ok && jurCheck.ok && windowCheck.ok && caseNumber.trim() && investigatorContact.trim();

  const submit = useMutation({
    mutationFn: (v: Values) =>
      createRequest(agencyId!, {
        caseNumber: v.caseNumber, incidentType: v.incidentType, description: v.description, investigatorContact: v.investigatorContact,
        area: toPolygon(ring),
        window: { start: new Date(v.window.start).toISOString(), end: new Date(v.window.end).toISOString() },
      }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['agency-requests'] });
      await qc.invalidateQueries({ queryKey: ['agency-quota'] });
      navigate(`/agency/requests/${r.id}`);
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  const onSubmit = form.onSubmit((v) => {
    if (ready) submit.mutate(v);
  });
  const useCircle = () => {
    if (centre.lat === '' || centre.lon === '' || centre.radius === '') return;
    setRing(circleRing({ lat: centre.lat, lon: centre.lon }, centre.radius));
  };
  const jurisdictionShapes = jurisdiction ? fromPolygon(jurisdiction).map((r, i) => ({ id: `j${i}`, ring: r, label: 'Jurisdiction', color: '#495057', dashed: true })) : [];

  return (
    <Container size="lg">
      <Title order={1} mb="xs">New community request</Title>
      <Text mb="md">Residents in the area are asked whether they will share footage. A reviewer checks every request before it is sent, and it is published.</Text>
      {quota && (
        <Alert color={quota.left ? 'gray' : 'orange'} role="status" mb="md" data-testid="request-quota">
          {quota.left} of {quota.limit} requests left in the last 24 hours{quota.left ? '.' : ': the next one can be made once the oldest of today\'s is 24 hours old.'}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate aria-label="New community request">
        <Stack>
          {submit.isError && <Alert color="red" role="alert" title="The request was not accepted">{submit.error.message}</Alert>}
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Paper withBorder p="md">
              <Stack>
                <Title order={2} size="h4">Case</Title>
                <TextInput label="Case number" required {...form.getInputProps('caseNumber')} />
                <Select label="Incident type" data={INCIDENT_TYPES} allowDeselect={false} {...form.getInputProps('incidentType')} />
                <Textarea label="Description" description={`${description.length} / 2,000 characters`} maxLength={2000} autosize minRows={3} {...form.getInputProps('description')} />
                <TextInput label="Investigator contact" required {...form.getInputProps('investigatorContact')} />
                <Title order={2} size="h4" mt="sm">Time window</Title>
                <Group grow>
                  <TextInput type="datetime-local" label="From" required {...form.getInputProps('window.start')} />
                  <TextInput type="datetime-local" label="To" required {...form.getInputProps('window.end')} />
                </Group>
                {form.errors.window && <Text c="red.8" size="sm" role="alert">Time window: {form.errors.window}</Text>}
              </Stack>
            </Paper>
            <Paper withBorder p="md">
              <Stack>
                <Title order={2} size="h4">Area</Title>
                <Text size="sm">Draw a polygon or rectangle with the tools on the map, or enter a centre and radius.</Text>
                <DrawAreaMap label="Map: draw the request area" ring={ring} onChange={setRing} context={jurisdictionShapes} />
                <Group grow align="flex-end">
                  <NumberInput label="Centre latitude" decimalScale={6} value={centre.lat} onChange={(v) => setCentre({ ...centre, lat: v === '' ? '' : Number(v) })} />
                  <NumberInput label="Centre longitude" decimalScale={6} value={centre.lon} onChange={(v) => setCentre({ ...centre, lon: v === '' ? '' : Number(v) })} />
                  <NumberInput label="Radius (m)" min={10} max={5000} value={centre.radius} onChange={(v) => setCentre({ ...centre, radius: v === '' ? '' : Number(v) })} />
                </Group>
                <Button variant="default" onClick={useCircle} w="fit-content">Use centre and radius</Button>
                <Text fw={700} aria-live="polite" data-testid="live-area">Area: {areaSqMi(ring).toFixed(3)} sq mi</Text>
                {form.errors.area && <Text c="red.8" size="sm" role="alert">Area: {form.errors.area}</Text>}
              </Stack>
            </Paper>
          </SimpleGrid>
          <Paper withBorder p="md" aria-live="polite">
            <Title order={2} size="h4" mb="xs">Checks</Title>
            <List spacing={4}>
              <CheckLine check={areaCheck} testId="check-area" />
              <CheckLine check={jurCheck} testId="check-jurisdiction" />
              <CheckLine check={windowCheck} testId="check-window" />
            </List>
          </Paper>
          <Button type="submit" disabled={!ready || !agencyId || quota?.left === 0} loading={submit.isPending} w="fit-content">Submit for review</Button>
        </Stack>
      </form>
    </Container>
  );
}
