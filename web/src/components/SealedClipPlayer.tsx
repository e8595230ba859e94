// The player for an end-to-end encrypted clip (issue 15 §4). This browser
// opens the clip's sealed secret with its own key, and a Web Worker fetches
// and decrypts the envelope; the video plays from the decrypted blob, so
// seeking is the browser's own, and the owner can save the plaintext.
import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { getJson } from '../api/client';
import { openClipSecret, type SealedKeyView } from '../lib/e2ee/keys';
import type { DecryptJob, DecryptMessage } from '../lib/e2ee/decrypt.worker';
import { importContentKey } from '../../../src/platform/sealed/envelope.ts';

export interface SealedClip {
  /** Serves the envelope, with ranges. */
  videoUrl: string;
  /** Answers the clip secret sealed to the viewer's key. */
  sealedKeyUrl: string;
  fileName: string;
}

type State = { step: 'opening' } | { step: 'decrypting'; progress: number } | { step: 'ready'; url: string } | { step: 'failed'; message: string };

function useDecrypted(clip: SealedClip | null): State {
  const [state, setState] = useState<State>({ step: 'opening' });
  useEffect(() => {
    if (!clip) return;
    setState({ step: 'opening' });
    let url: string | null = null;
    let cancelled = false;
    const worker = new Worker(new URL('../lib/e2ee/decrypt.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<DecryptMessage>) => {
      if (cancelled) return;
      const m = e.data;
      if ('progress' in m) setState({ step: 'decrypting', progress: m.progress });
      else if ('blob' in m) {
        url = URL.createObjectURL(m.blob);
        setState({ step: 'ready', url });
      } else setState({ step: 'failed', message: m.error });
    };
    (async () => {
      const secret = await openClipSecret(await getJson<SealedKeyView>(clip.sealedKeyUrl));
      const job: DecryptJob = { url: clip.videoUrl, key: await importContentKey(secret.contentKey), header: secret.header, plainSha256: secret.plainSha256 };
      secret.contentKey.fill(0);
      if (!cancelled) worker.postMessage(job);
    })().catch((err: unknown) => !cancelled && setState({ step: 'failed', message: err instanceof Error ? err.message : String(err) }));
    return () => {
      cancelled = true;
      worker.terminate();
      if (url) URL.revokeObjectURL(url);
    };
  }, [clip]);
  return state;
}

export function SealedClipPlayer({ clip, title, onClose }: { clip: SealedClip | null; title: string; onClose: () => void }) {
  const state = useDecrypted(clip);
  return (
    <Modal opened={clip !== null} onClose={onClose} title={title} size="xl" centered closeButtonProps={{ 'aria-label': 'Close player' }}>
      <Stack gap="xs">
        {state.step === 'opening' && <Text role="status">Opening the clip's key in this browser…</Text>}
        {state.step === 'decrypting' && <Progress value={state.progress * 100} aria-label="Decrypting the clip" />}
        {state.step === 'failed' && <Alert color="red" role="alert" title="This clip cannot be played">{state.message}</Alert>}
        {state.step === 'ready' && clip && (
          <>
            <video src={state.url} controls style={{ width: '100%', background: '#000', borderRadius: 6 }} aria-label={title} data-testid="sealed-video">
              <track kind="captions" />
            </video>
            <Group justify="space-between">
              <Text size="sm">Decrypted in this browser. It matches the SHA-256 its camera sealed with the key.</Text>
              <Button component="a" href={state.url} download={clip.fileName} size="xs" variant="default">Download the decrypted clip</Button>
            </Group>
          </>
        )}
        <Text size="xs">End-to-end encrypted: the server holds only ciphertext, and this browser holds the key.</Text>
      </Stack>
    </Modal>
  );
}
