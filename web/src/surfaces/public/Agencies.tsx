// Agency profiles: who may ask residents for footage here, and where.
import { Anchor, Card, Container, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { fromPolygon } from '../../lib/area';
import { usePublicAgencies, usePublicAgency, usePublicRequests, agencyId } from './publicApi';

const TYPE: Record<string, string> = { law_enforcement: 'Law enforcement', fire: 'Fire', ems: 'Emergency medical services', other_public_safety: 'Other public safety' };

export function AgenciesPage() {
  const agencies = usePublicAgencies();
  return (
    <Container size="lg">
      <Title order={1} mb="md">Agencies</Title>
      <QueryState q={agencies} empty={(l) => (l.length ? null : <Empty title="No verified agencies yet" />)}>
        {(list) => (
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
            {list.map((a) => (
              <Card key={a.id} withBorder>
                <Anchor component={Link} to={`/public/agencies/${a.id}`} fw={600}>{a.name}</Anchor>
                <Text size="sm">{TYPE[a.type] ?? a.type}</Text>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </QueryState>
    </Container>
  );
}

export function AgencyProfilePage() {
  const { id = '' } = useParams();
  const agency = usePublicAgency(id);
  const requests = usePublicRequests();
  return (
    <Container size="lg">
      <Anchor component={Link} to="/public/agencies" size="sm">← Agencies</Anchor>
      <QueryState q={agency}>
        {(a) => {
          const theirs = (requests.data ?? []).filter((r) => agencyId(r) === a.id);
          return (
            <Stack mt="sm">
              <Title order={1}>{a.name}</Title>
              <Text>{TYPE[a.type] ?? a.type}</Text>
              {a.description && <Text>{a.description}</Text>}
              {a.website && <Anchor href={a.website} rel="noopener noreferrer">{a.website}</Anchor>}
              {a.publicContact && <Text size="sm">Contact: {a.publicContact}</Text>}
              <MapView
                label={`Map of the jurisdiction of ${a.name}`}
                polygons={[
                  ...fromPolygon(a.jurisdiction).map((ring, i) => ({ id: `j${i}`, ring, label: 'Jurisdiction', color: '#495057', dashed: true })),
                  ...theirs.map((r) => ({ id: r.id, ring: fromPolygon(r.area)[0], label: r.incidentType })),
                ]}
              />
              <Text>{theirs.length} approved request{theirs.length === 1 ? '' : 's'} published.</Text>
            </Stack>
          );
        }}
      </QueryState>
    </Container>
  );
}
