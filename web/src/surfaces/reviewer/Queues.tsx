// Every review queue, oldest first, each item with its age: emergencies first,
// because a person may be in danger while they wait.
import { Badge, Container, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Empty, QueryState } from '../../components/States';
import { age } from '../../lib/format';

const TITLES: Record<string, string> = { emergency: 'Emergency requests', legal_demand: 'Legal demands', community_request: 'Community requests', request: 'Community requests', feed_report: 'Feed reports' };
const LINK: Record<string, string> = { emergency: '/review/emergency', legal_demand: '/review/legal', community_request: '/review/requests', request: '/review/requests', feed_report: '/review/feed' };

export const ageText = (ms: number) => age(Date.now() - ms);

export function QueuesPage() {
  const queues = useQuery({ queryKey: ['review-queues'], queryFn: () => unwrap(api.GET('/api/v1/review/queues')), refetchInterval: 30_000 });
  // Queue items carry agency ids; names read better. Unknown ids fall back to the id.
  const agencies = useQuery({ queryKey: ['staff-agencies'], queryFn: () => unwrap(api.GET('/api/v1/agencies')) });
  const agencyName = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? id;
  return (
    <Container size="lg">
      <Title order={1} mb="md">Review queues</Title>
      <QueryState q={queues}>
        {(d) => (
          <Stack>
            {d.queues.map((q) => (
              <Paper key={q.kind} withBorder p="md" data-testid={`queue-${q.kind}`}>
                <Group justify="space-between" mb="xs">
                  <Title order={2} size="h3">{TITLES[q.kind] ?? q.kind}</Title>
                  <Group gap="xs">
                    <Badge color="dark" variant="outline">{q.items.length} waiting</Badge>
                    {q.oldestAgeMs !== null && <Text size="sm">oldest {ageText(q.oldestAgeMs)}</Text>}
                  </Group>
                </Group>
                {q.items.length === 0 ? (
                  <Empty title="Nothing waiting" />
                ) : (
                  <TableScroll minWidth={480}>
                    <Table striped>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Item</Table.Th>
                          <Table.Th>Agency</Table.Th>
                          <Table.Th>Waiting</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {q.items.map((it) => (
                          <Table.Tr key={it.id}>
                            <Table.Td><Link to={`${LINK[it.kind] ?? '/review'}/${it.id}`}>{it.summary}</Link></Table.Td>
                            <Table.Td>{agencyName(it.agencyId)}</Table.Td>
                            <Table.Td data-testid="item-age">{ageText(it.ageMs)}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </TableScroll>
                )}
              </Paper>
            ))}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
