// Sharing end-to-end clips from the inbox (issue 15 §5): this browser re-wraps
// each clip's key for the agency's public key. The server hands over that
// public key, so a server that swapped it would receive every later share;
// this browser remembers the key it last re-wrapped to for each agency (trust
// on first use), and a changed key must be checked with the agency, by its
// fingerprint, before anything is sealed to it.
import { Alert, Checkbox, Code, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { getJson } from '../../api/client';
import { fingerprint, rewrapFor, type KeyView, type SealedKeyView } from '../../lib/e2ee/keys';
import { rememberKey, seenKey } from '../../lib/e2ee/keystore';

type SealedKeys = Record<string, { keyId: string; sealedKey: string }>;

/** Each picked end-to-end clip's secret, re-wrapped in this browser for the agency's key. */
export async function sealedKeysFor(clipIds: string[], subject: string, agencyKey: KeyView): Promise<SealedKeys> {
  const out: SealedKeys = {};
  for (const id of clipIds) out[id] = await rewrapFor(await getJson<SealedKeyView>(`/api/v1/clips/${id}/sealed-key`), subject, agencyKey);
  return out;
}

export interface AgencyKeyCheck {
  /** Nothing stands in the way of sealing to this key. */
  ready: boolean;
  /** Call after a share that sealed to the key: it becomes the one remembered. */
  remember: () => Promise<void>;
  notice: React.ReactNode;
}

export function useAgencyKeyCheck(agencyId: string, agencyName: string, key: KeyView | null, needed: boolean): AgencyKeyCheck {
  const qc = useQueryClient();
  const [confirmed, setConfirmed] = useState(false);
  const recipient = `agency:${agencyId}`;
  const seen = useQuery({ queryKey: ['e2ee-seen', recipient], queryFn: () => seenKey(recipient), enabled: needed && !!key });
  const prints = useQuery({
    queryKey: ['e2ee-fingerprint', key?.publicKey, seen.data?.publicKey],
    enabled: needed && !!key && seen.isSuccess,
    queryFn: async () => ({ now: await fingerprint(key!.publicKey), before: seen.data ? await fingerprint(seen.data.publicKey) : null }),
  });
  if (!needed || !key) return { ready: true, remember: async () => {}, notice: null };
  const changed = !!seen.data && seen.data.publicKey !== key.publicKey;
  const remember = async () => {
    await rememberKey(recipient, key);
    await qc.invalidateQueries({ queryKey: ['e2ee-seen', recipient] });
    setConfirmed(false);
  };
  const notice = (
    <>
      <Text size="sm">
        End-to-end encrypted clips are shared from this browser: it re-wraps each clip&apos;s key for {agencyName}&apos;s key, fingerprint{' '}
        <Code data-testid="agency-fingerprint">{prints.data?.now ?? '…'}</Code>. This needs your own key in this browser.
      </Text>
      {changed && (
        <Alert color="orange" role="alert" title={`${agencyName}'s key has changed`} data-testid="agency-key-changed">
          You last shared with the key <Code>{prints.data?.before ?? '…'}</Code>. A new key is normal after an agency replaces it, but it is also what a
          compromised server would show you. Ask the agency for its fingerprint before you share.
          <Checkbox mt="xs" label="I have checked the new fingerprint with the agency" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
        </Alert>
      )}
    </>
  );
  return { ready: seen.isSuccess && (!changed || confirmed), remember, notice };
}
