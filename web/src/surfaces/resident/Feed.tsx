// The neighbourhood feed (PRODUCT.md B): posts around my home on a map and as
// a list, newest first, filtered by radius and category, paged by the
// server's cursor. New posts arrive over the live event stream (lib/live.ts),
// which refreshes this query. Every text is rendered by React as text, never
// as HTML. Points on the map are the public (fuzzed) ones.
import { Alert, Button, Chip, Container, Group, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { MapView } from '../../components/MapView';
import { Empty, ErrorState, Loading } from '../../components/States';
import { LIVE_EVENT, type LiveEvent } from '../../lib/live';
import { CATEGORIES, RADII, categoryLabel, feedPage, settings } from './feedApi';
import { ComposePost } from './FeedCompose';
import { PostCard } from './FeedPost';
import { FeedSettingsPanel } from './FeedSettings';

export function FeedPage() {
  const saved = useQuery({ queryKey: ['feed-settings'], queryFn: settings });
  const [radius, setRadius] = useState<number | null>(null);
  const [categories, setCategories] = useState<string[]>([]);
  const [composing, setComposing] = useState(false);
  const [fresh, setFresh] = useState(0);
  const [params] = useSearchParams();
  const focus = params.get('post');
  const radiusMi = radius ?? saved.data?.radiusMi ?? 2;
  const q = useInfiniteQuery({
    queryKey: ['feed', radiusMi, categories],
    queryFn: ({ pageParam }) => feedPage({ radiusMi, categories, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: saved.isSuccess || saved.isError,
  });
  useEffect(() => {
    const on = (e: Event) => {
      if ((e as CustomEvent<LiveEvent>).detail.kind === 'feed.post') setFresh((n) => n + 1);
    };
    window.addEventListener(LIVE_EVENT, on);
    return () => window.removeEventListener(LIVE_EVENT, on);
  }, []);
  const posts = q.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Container size="lg">
      <Group justify="space-between" mb="md">
        <Title order={1}>Neighbourhood feed</Title>
        <Button onClick={() => setComposing((c) => !c)} aria-expanded={composing}>{composing ? 'Close the form' : 'New post'}</Button>
      </Group>
      <Stack>
        {composing && <ComposePost onDone={() => setComposing(false)} />}
        <Paper withBorder p="sm">
          <Group align="flex-end" wrap="wrap">
            <NativeSelect
              label="Within" w={160}
              data={RADII.map((r) => ({ value: String(r), label: `${r} ${r === 1 ? 'mile' : 'miles'}` }))}
              value={String(radiusMi)} onChange={(e) => setRadius(Number(e.currentTarget.value))}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="feed-categories">Categories</Text>
              <Chip.Group multiple value={categories} onChange={setCategories}>
                <Group gap="xs" role="group" aria-labelledby="feed-categories">
                  {CATEGORIES.map((c) => <Chip key={c.value} value={c.value} size="xs">{c.label}</Chip>)}
                </Group>
              </Chip.Group>
            </Stack>
          </Group>
        </Paper>
        {fresh > 0 && <Alert color="indigo" role="status" data-testid="feed-live">New posts arrived nearby; the list is up to date.</Alert>}
        {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} retry={() => void q.refetch()} /> : (
          <>
            <MapView
              label="Map of the posts in the list (each point within about 150 m of the place)"
              markers={posts.map((p) => ({ id: p.id, lat: p.location.lat, lon: p.location.lon, label: p.removed ? 'Removed post' : `${categoryLabel(p.category)}: ${p.title}`, color: p.kind === 'agency_alert' ? '#e8590c' : undefined }))}
              height={300}
            />
            {posts.length === 0 ? <Empty title="Nothing posted nearby yet">Posts within {radiusMi} miles of your home show here.</Empty> : (
              <Stack data-testid="feed-list">
                {posts.map((p) => <PostCard key={p.id} post={p} focused={p.id === focus} />)}
              </Stack>
            )}
            {q.hasNextPage && <Button variant="default" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>Older posts</Button>}
          </>
        )}
        <FeedSettingsPanel />
      </Stack>
    </Container>
  );
}
