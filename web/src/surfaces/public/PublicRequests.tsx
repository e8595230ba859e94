// Approved agency requests, on a map and as a list. Every request an agency
// sends to residents was approved by a reviewer and is published here for good;
// an agency can mark it resolved but never delete it.
import { Anchor, Card, Container, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { formatTime } from '../../lib/format';
import { agencyId, agencyName, usePublicRequests } from './publicApi';

export default function PublicRequestsPage() {
  const requests = usePublicRequests();
  return (
    <Container size="lg">
      <Title order={1}>Agency requests for footage</Title>
      <Text my="sm">
        Public-safety agencies can ask residents in a small area for footage from a short time window. A reviewer approves every request first, and each one is
        published here. Residents choose what to share; agencies never learn who declined.
      </Text>
      <QueryState q={requests}>
        {(list) => (
          <Stack>
            <MapView
              label="Map of approved agency requests"
              polygons={list.map((r) => ({ id: r.id, ring: fromPolygon(r.area)[0], label: `${agencyName(r)}: ${r.incidentType.replace(/_/g, ' ')}` }))}
            />
            {list.length === 0 ? (
              <Empty title="No approved requests">When an agency's request is approved, it appears here.</Empty>
            ) : (
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="ul" style={{ listStyle: 'none', padding: 0 }}>
                {list.map((r) => (
                  <Card key={r.id} withBorder component="li" data-testid="public-request">
                    <Group justify="space-between" wrap="nowrap">
                      <Anchor component={Link} to={`/public/requests/${r.id}`} fw={600}>{r.incidentType.replace(/_/g, ' ')}: case {r.caseNumber}</Anchor>
                      <StatusBadge status={r.status} />
                    </Group>
                    <Anchor component={Link} to={`/public/agencies/${agencyId(r)}`} size="sm">{agencyName(r)}</Anchor>
                    <Text size="sm" mt={4}>{formatTime(r.window.start)} – {formatTime(r.window.end)}</Text>
                  </Card>
                ))}
              </SimpleGrid>
            )}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
