// Loading, empty and error states, the same on every page, announced to screen readers.
import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Group gap="sm">
        <Loader size="sm" aria-hidden />
        <Text>{label}</Text>
      </Group>
    </Center>
  );
}

export function ErrorState({ error, retry, title = 'Something went wrong' }: { error: unknown; retry?: () => void; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const signIn = error instanceof ApiError && error.status === 401;
  return (
    <Alert color="red" title={signIn ? 'Please sign in' : title} role="alert" variant="light">
      <Stack gap="xs">
        <Text size="sm">{message}</Text>
        {retry && !signIn && (
          <Group>
            <Button size="xs" variant="default" onClick={retry}>
              Try again
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" gap={4} py="lg" role="status">
      <Text fw={600}>{title}</Text>
      {children && <Text size="sm" c="dimmed" ta="center">{children}</Text>}
    </Stack>
  );
}

/** Renders a query's three states before its data. */
export function QueryState<T>({ q, empty, children }: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty?: (data: T) => ReactNode | null;
  children: (data: T) => ReactNode;
}) {
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  const data = q.data as T;
  const e = empty?.(data);
  if (e) return <>{e}</>;
  return <>{children(data)}</>;
}
