// Agency profiles: who may ask residents for footage here, and where.
import { Anchor, Card, Container, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { fromPolygon } from '../../lib/area';
import { usePublicAgencies, usePublicAgency, usePublicRequests, agencyId } from './publicApi';
import { percent, share, total, useReport } from './reportData';

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

/** The agency's own numbers, from the transparency report (counted from the log). */
function AgencyFigures({ agencyId: agency }: { agencyId: string }) {
  const report = useReport();
  const rows: [string, string | number][] = report.data ? [
    ['Community requests sent', total(report.data.figures, 'requests_sent', { agency })],
    ['Reached homes that shared', percent(share(report.data.figures, { agency }))],
    ['Demands approved', total(report.data.figures, 'decisions', { agency, outcome: 'approved' })],
    ['Demands narrowed', total(report.data.figures, 'decisions', { agency, outcome: 'narrowed' })],
    ['Demands rejected', total(report.data.figures, 'decisions', { agency, outcome: 'rejected' })],
    ['Emergency disclosures', total(report.data.figures, 'emergency_disclosures', { agency })],
    ['Emergencies without follow-up legal process', total(report.data.figures, 'emergency_no_follow_up', { agency })],
  ] : [];
  return (
    <section aria-label="Figures from the transparency report">
      <Title order={2} size="h3">From the transparency report</Title>
      <QueryState q={report}>
        {() => (
          <Table maw={520} data-testid="agency-figures">
            <Table.Caption>Counted from the public log; see the <Anchor component={Link} to="/public/transparency">transparency report</Anchor></Table.Caption>
            <Table.Tbody>{rows.map(([k, v]) => <Table.Tr key={k}><Table.Th scope="row">{k}</Table.Th><Table.Td>{v}</Table.Td></Table.Tr>)}</Table.Tbody>
          </Table>
        )}
      </QueryState>
    </section>
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
              <AgencyFigures agencyId={a.id} />
            </Stack>
          );
        }}
      </QueryState>
    </Container>
  );
}
