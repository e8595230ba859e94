// My feed settings: the radius the feed opens with, and web push per kind
// (new posts near me, replies to my posts) with the switch for this browser.
import { Alert, Group, NativeSelect, Paper, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { QueryState } from '../../components/States';
import { disablePush, enablePush, pushOn, pushSupported } from '../../lib/push';
import { RADII, settings } from './feedApi';

type Settings = Awaited<ReturnType<typeof settings>>;

export function FeedSettingsPanel() {
  const q = useQuery({ queryKey: ['feed-settings'], queryFn: settings });
  return <QueryState q={q}>{(s) => <Panel initial={s} />}</QueryState>;
}

function Panel({ initial }: { initial: Settings }) {
  const qc = useQueryClient();
  const [browser, setBrowser] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void pushOn().then(setBrowser, () => setBrowser(false));
  }, []);
  // The switches follow the hand at once; the server's answer then confirms them.
  const [s, setS] = useState(initial);
  const put = useMutation({
    mutationFn: (next: Settings) => unwrap(api.PUT('/api/v1/me/feed-settings', { body: next })),
    onSuccess: (saved) => {
      setS(saved);
      qc.setQueryData(['feed-settings'], saved);
    },
    onError: () => setS(initial),
  });
  const save = { ...put, mutate: (next: Settings) => {
    setS(next);
    put.mutate(next);
  } };
  const toggleBrowser = async (on: boolean) => {
    setError(null);
    try {
      if (on) await enablePush();
      else await disablePush();
      setBrowser(on);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="feed-settings-title">
      <Title order={2} size="h3" id="feed-settings-title" mb="xs">Feed settings</Title>
      <Stack gap="sm">
        {(save.isError || error) && <Alert color="red" role="alert">{error ?? save.error?.message}</Alert>}
        <NativeSelect label="Show and tell me of posts within" w={220} data={RADII.map((r) => ({ value: String(r), label: `${r} miles` }))}
          value={String(s.radiusMi)} onChange={(e) => save.mutate({ ...s, radiusMi: Number(e.currentTarget.value) })} />
        <Text size="sm">New posts and replies always appear here at once. Web push also tells you when the page is closed.</Text>
        <Switch label="Web push on this browser" checked={browser === true} disabled={browser === null || !pushSupported()} onChange={(e) => void toggleBrowser(e.currentTarget.checked)}
          description={pushSupported() ? undefined : 'This browser cannot receive web push.'} />
        <Group>
          <Switch label="Push: new posts near me" checked={s.push.posts} onChange={(e) => save.mutate({ ...s, push: { ...s.push, posts: e.currentTarget.checked } })} />
          <Switch label="Push: replies to my posts" checked={s.push.replies} onChange={(e) => save.mutate({ ...s, push: { ...s.push, replies: e.currentTarget.checked } })} />
        </Group>
      </Stack>
    </Paper>
  );
}
