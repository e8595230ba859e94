// One approved agency request, as the public sees it (issue 19: the cards led
// nowhere): the agency, its case number, the area on the map (coarsened to a
// ~200 m grid, never the exact polygon), the time window and its status.
import { Anchor, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { MapView } from '../../components/MapView';
import { QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { formatTime } from '../../lib/format';

const label = (incident: string) => incident.charAt(0).toUpperCase() + incident.slice(1).replace(/_/g, ' ');

export default function PublicRequestPage() {
  const { id = '' } = useParams();
  const post = useQuery({ queryKey: ['public-requests', id], queryFn: () => unwrap(api.GET('/api/v1/public/requests/{id}', { params: { path: { id } } })) });
  return (
    <Container size="md">
      <Anchor component={Link} to="/" size="sm">← All requests</Anchor>
      <QueryState q={post}>
        {(r) => (
          <Stack mt="sm">
            <Group justify="space-between">
              <Title order={1}>{label(r.incidentType)}: case {r.caseNumber}</Title>
              <StatusBadge status={r.status} />
            </Group>
            <Text>
              Asked by <Anchor component={Link} to={`/public/agencies/${r.agency.id}`}>{r.agency.name}</Anchor>, approved by a reviewer and published {formatTime(r.postedAt)}.
            </Text>
            <Text>Footage from {formatTime(r.window.start)} to {formatTime(r.window.end)}.</Text>
            <MapView label={`Map of the area of case ${r.caseNumber}`} height={320} polygons={[{ id: r.id, ring: fromPolygon(r.area)[0], label: 'Request area (approximate)' }]} />
            <Text size="sm">The area is shown on a coarse grid, so the map does not point at any one home. Residents inside it choose what to share; the agency never learns who declined.</Text>
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
