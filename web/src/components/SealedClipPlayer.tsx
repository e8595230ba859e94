// The player for an end-to-end encrypted clip (issue 15 §4). This browser
// opens the clip's sealed secret with its own key, and a Web Worker fetches
// and decrypts the envelope; the video plays from the decrypted blob, so
// seeking is the browser's own, and the viewer can save the plaintext.
//
// What is checked, and said: every chunk authenticates under the sealed key,
// and the whole matches the SHA-256 sealed with it. That alone does not show
// who made the clip (anyone with the recipient's public key can seal one), so
// the owner's player also verifies the camera's Ed25519 signature, which
// travels inside the secret. An agency's copy names no camera, so its player
// says only what it checked.
import { Alert, Button, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { getJson } from '../api/client';
import { openClipSecret, type SealedKeyView } from '../lib/e2ee/keys';
import type { DecryptJob, DecryptMessage } from '../lib/e2ee/decrypt.worker';
import { importContentKey } from '../../../src/platform/sealed/envelope.ts';
import { fromBase64 } from '../../../src/platform/base64.ts';
import { e2eeSigningPayload, sha256Hex, verifyE2eeSignature } from '../../../src/cameras/e2ee-signature.ts';

/** The fields the camera signed, as the owner's clip list shows them, and the camera's device key. */
export interface SignedFields { cameraId: string; startedAt: string; endedAt: string; kind: string; devicePublicKey: string | null }

export interface SealedClip {
  /** Serves the envelope, with ranges. */
  videoUrl: string;
  /** Answers the clip secret sealed to the viewer's key. */
  sealedKeyUrl: string;
  fileName: string;
  /** Whose key opens it: "user:<id>" or "agency:<id>". */
  subject: string;
  /** The owner's view: check the camera's signature too. */
  signed?: SignedFields;
}

type State = { step: 'opening' } | { step: 'decrypting'; progress: number } | { step: 'ready'; url: string; checked: string } | { step: 'failed'; message: string };

async function checkSignature(f: SignedFields, header: Uint8Array, plainSha256: string, signature: Uint8Array): Promise<string> {
  const key = f.devicePublicKey ? fromBase64(f.devicePublicKey) : null;
  if (!key) return 'Decrypted in this browser; every chunk authenticates. It was uploaded without a camera key, so there is no device signature to check.';
  const payload = e2eeSigningPayload({ cameraId: f.cameraId, plainSha256, headerSha256: await sha256Hex(header), startedAt: f.startedAt, endedAt: f.endedAt, kind: f.kind });
  if (!(await verifyE2eeSignature(key, payload, signature))) throw new Error("the camera's signature does not verify for this clip, its camera and its times: it may not be what the camera recorded");
  return "Decrypted in this browser. The camera's signature verifies: this is the clip as your camera recorded it.";
}

function useDecrypted(clip: SealedClip | null): State {
  const [state, setState] = useState<State>({ step: 'opening' });
  useEffect(() => {
    if (!clip) return;
    let url: string | null = null;
    let cancelled = false;
    let opened: { header: Uint8Array; signature: Uint8Array } | null = null;
    const fail = (err: unknown) => !cancelled && setState({ step: 'failed', message: err instanceof Error ? err.message : String(err) });
    const worker = new Worker(new URL('../lib/e2ee/decrypt.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<DecryptMessage>) => {
      if (cancelled) return;
      const m = e.data;
      if ('progress' in m) return setState({ step: 'decrypting', progress: m.progress });
      if ('error' in m) return fail(new Error(m.error));
      const checked = clip.signed && opened
        ? checkSignature(clip.signed, opened.header, m.plainSha256, opened.signature)
        : Promise.resolve("Decrypted in this browser with your agency's key. Every chunk authenticates, and the clip matches the SHA-256 sealed with its key.");
      checked.then((text) => {
        if (cancelled) return;
        url = URL.createObjectURL(m.blob);
        setState({ step: 'ready', url, checked: text });
      }, fail);
    };
    (async () => {
      const secret = await openClipSecret(await getJson<SealedKeyView>(clip.sealedKeyUrl), clip.subject);
      try {
        opened = { header: secret.header, signature: secret.signature };
        const job: DecryptJob = { url: clip.videoUrl, key: await importContentKey(secret.contentKey), header: secret.header, plainSha256: secret.plainSha256 };
        if (!cancelled) worker.postMessage(job);
      } finally {
        secret.contentKey.fill(0);
      }
    })().catch(fail);
    return () => {
      cancelled = true;
      worker.terminate();
      if (url) URL.revokeObjectURL(url);
      // The next clip starts from "opening", never from this one's revoked URL.
      setState({ step: 'opening' });
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
            <Text size="sm" data-testid="sealed-checked">{state.checked}</Text>
            <Group justify="flex-end">
              <Button component="a" href={state.url} download={clip.fileName} size="xs" variant="default">Download the decrypted clip</Button>
            </Group>
          </>
        )}
        <Text size="xs">End-to-end encrypted: the server holds only ciphertext, and this browser holds the key.</Text>
      </Stack>
    </Modal>
  );
}
