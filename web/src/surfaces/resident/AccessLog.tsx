// The access log: every read of my clips' bytes by someone other than me, in
// words, with short references (#1a2b3c) in place of 32-digit ids (issue 19).
import { Button, Container, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../../components/TableScroll';
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Empty, QueryState } from '../../components/States';
import { accessPurpose, formatTime, shortenIds, shortRef } from '../../lib/format';

export function AccessLogPage() {
  const log = useInfiniteQuery({
    queryKey: ['access-log'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/me/access-log', { params: { query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Container size="lg">
      <Title order={1}>Access log</Title>
      <Text my="sm">Every time anyone other than you reads a clip of yours, it is written here.</Text>
      <QueryState q={{ ...log, data: items }} empty={(l) => (l.length ? null : <Empty title="Nobody else has read your clips" />)}>
        {(list) => (
          <Stack>
            <TableScroll minWidth={520}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Who</Table.Th>
                    <Table.Th>Why</Table.Th>
                    <Table.Th>Clip</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((a) => (
                    <Table.Tr key={a.id}>
                      <Table.Td>{formatTime(a.at)}</Table.Td>
                      <Table.Td>{shortenIds(a.actor)}</Table.Td>
                      <Table.Td data-testid="access-purpose">{accessPurpose(a.purpose)}</Table.Td>
                      <Table.Td className="mono" title={a.clipId}>{shortRef(a.clipId)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
            {log.hasNextPage && <Button variant="default" w="fit-content" onClick={() => void log.fetchNextPage()}>Show older</Button>}
          </Stack>
        )}
      </QueryState>
    </Container>
  );
}
