// The agency's start page: its jurisdiction on a map and its requests with status.
import { Button, Container, Group, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { Link } from 'react-router';
import { MapView } from '../../components/MapView';
import { Empty, QueryState } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { fromPolygon } from '../../lib/area';
import { formatTime } from '../../lib/format';
import { useAgencyId, useAgencyRequests, useMyAgency } from './agencyApi';

export function AgencyHomePage() {
  const agency = useMyAgency();
  const requests = useAgencyRequests(useAgencyId());
  return (
    <Container size="lg">
      <QueryState q={agency}>
        {(a) => (
          <Stack>
            <Group justify="space-between">
              <div>
                <Title order={1}>{a.name}</Title>
                <Text size="sm">{a.type.replace(/_/g, ' ')}</Text>
              </div>
              <Button component={Link} to="/agency/new">New request</Button>
            </Group>
            <MapView
              label={`Map of the jurisdiction of ${a.name}`}
              polygons={[
                ...fromPolygon(a.jurisdiction).map((ring, i) => ({ id: `j${i}`, ring, label: 'Jurisdiction', color: '#495057', dashed: true })),
                ...(requests.data ?? []).map((r) => ({ id: r.id, ring: fromPolygon(r.area)[0], label: `Case ${r.caseNumber}` })),
              ]}
            />
            <Title order={2} size="h3">Requests</Title>
            <QueryState q={requests} empty={(l) => (l.length ? null : <Empty title="No requests yet">Draw an area and a time window to ask residents for footage.</Empty>)}>
              {(list) => (
                <TableScroll minWidth={560}>
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Case</Table.Th>
                        <Table.Th>Incident</Table.Th>
                        <Table.Th>Window</Table.Th>
                        <Table.Th>Status</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {list.map((r) => (
                        <Table.Tr key={r.id}>
                          <Table.Td><Link to={`/agency/requests/${r.id}`}>{r.caseNumber}</Link></Table.Td>
                          <Table.Td>{r.incidentType.replace(/_/g, ' ')}</Table.Td>
                          <Table.Td>{formatTime(r.window.start)} – {formatTime(r.window.end)}</Table.Td>
                          <Table.Td><StatusBadge status={r.status} /></Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </TableScroll>
              )}
            </QueryState>
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
