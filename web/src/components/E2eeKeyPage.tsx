// The end-to-end key page, for an owner and for an agency (issue 15 §1): the
// key pair is made here, its public half registered, and the private half kept
// in this browser's IndexedDB as a non-extractable key. The only copy that can
// leave is the backup file, encrypted under a passphrase (Argon2id). A second
// device restores that file.
import { Alert, Badge, Button, Code, Container, FileInput, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { backupFile, createKey, fingerprint, KeyNotKept, restoreKey, type KeyView } from '../lib/e2ee/keys';
import { keysOf } from '../lib/e2ee/keystore';
import { formatTime } from '../lib/format';
import { MIN_PASSPHRASE } from '../../../src/platform/sealed/keybackup.ts';
import { QueryState } from './States';

export interface KeyOwner {
  /** "user:<id>" or "agency:<id>", as the server names key subjects. */
  subject: string;
  /** Who the page speaks of: "your" or "your agency's". */
  whose: string;
  fetchKey: () => Promise<KeyView | null>;
  register: (publicKey: string) => Promise<KeyView>;
}

export function E2eeKeyPage({ owner, about }: { owner: KeyOwner; about: string }) {
  const current = useQuery({ queryKey: ['e2ee-key', owner.subject], queryFn: owner.fetchKey });
  const held = useQuery({ queryKey: ['e2ee-held', owner.subject], queryFn: () => keysOf(owner.subject) });
  const print = useQuery({ queryKey: ['e2ee-fingerprint', current.data?.publicKey], enabled: !!current.data, queryFn: () => fingerprint(current.data!.publicKey) });
  return (
    <Container size="sm">
      <Title order={1} mb="xs">End-to-end key</Title>
      <Text mb="md">{about}</Text>
      <QueryState q={current}>
        {(key) => {
          const here = !!key && !!held.data?.some((k) => k.keyId === key.keyId);
          return (
            <Stack>
              <Paper withBorder p="md" data-testid="e2ee-key-status">
                {key ? (
                  <>
                    <Text fw={600}>Registered key {key.keyId.slice(0, 8)}, made {formatTime(key.createdAt)}</Text>
                    <Text size="sm">Fingerprint <Code data-testid="key-fingerprint">{print.data ?? '…'}</Code>: whoever shares with {owner.whose === 'your' ? 'you' : 'your agency'} can compare it.</Text>
                    {here ? <Badge color="teal" variant="filled" mt={4}>held in this browser</Badge> : <Badge color="orange" variant="filled" mt={4}>not in this browser: restore its backup below</Badge>}
                  </>
                ) : (
                  <Text fw={600}>No key yet. Make one here, and keep its backup file.</Text>
                )}
              </Paper>
              <MakeKey owner={owner} replacing={!!key} />
              <RestoreKey owner={owner} />
            </Stack>
          );
        }}
      </QueryState>
    </Container>
  );
}

function MakeKey({ owner, replacing }: { owner: KeyOwner; replacing: boolean }) {
  const qc = useQueryClient();
  const [file, setFile] = useState<{ name: string; href: string } | null>(null);
  useEffect(() => () => {
    if (file) URL.revokeObjectURL(file.href);
  }, [file]);
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { passphrase: '', again: '' },
    validate: {
      passphrase: (v) => (v.length < MIN_PASSPHRASE ? `At least ${MIN_PASSPHRASE} characters` : null),
      again: (v, all) => (v !== all.passphrase ? 'The two passphrases differ' : null),
    },
  });
  const make = useMutation({
    mutationFn: (v: { passphrase: string }) => createKey(owner.subject, v.passphrase, owner.register),
    onError: (err) => {
      // Registered and backed up, but not kept here: the backup is all there is, so offer it.
      if (err instanceof KeyNotKept) setFile(backupFile(err.backup));
    },
    onSuccess: async ({ backup }) => {
      setFile(backupFile(backup));
      form.reset();
      await qc.invalidateQueries({ queryKey: ['e2ee-key', owner.subject] });
      await qc.invalidateQueries({ queryKey: ['e2ee-held', owner.subject] });
    },
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">{replacing ? 'Make a new key' : 'Make the key'}</Title>
      <Text size="sm" my="xs">
        {replacing ? 'New clips and shares will use the new key. Clips sealed to the old one still need it, so keep its backup. ' : ''}
        The backup file is the only copy outside this browser. If both are lost, so are the clips sealed to this key: Porchlight cannot recover them.
      </Text>
      {make.isError && <Alert color="red" role="alert" mb="xs">{make.error.message}</Alert>}
      {file && (
        <Alert color="green" role="status" mb="xs" title="Key made and registered">
          Save the backup file now, somewhere other than this device. <Button component="a" href={file.href} download={file.name} size="xs" ml="xs">Download the backup file</Button>
        </Alert>
      )}
      <form onSubmit={form.onSubmit((v) => make.mutate(v))}>
        <Stack gap="xs">
          <PasswordInput label="Backup passphrase" description={`At least ${MIN_PASSPHRASE} characters. It encrypts the backup file; Porchlight never sees it.`} autoComplete="new-password" key={form.key('passphrase')} {...form.getInputProps('passphrase')} />
          <PasswordInput label="The passphrase again" autoComplete="new-password" key={form.key('again')} {...form.getInputProps('again')} />
          <Button type="submit" loading={make.isPending} w="fit-content">{replacing ? 'Make a new key' : 'Make the key'}</Button>
        </Stack>
      </form>
    </Paper>
  );
}

function RestoreKey({ owner }: { owner: KeyOwner }) {
  const qc = useQueryClient();
  const form = useForm<{ file: File | null; passphrase: string }>({
    mode: 'uncontrolled',
    initialValues: { file: null, passphrase: '' },
    validate: { file: (f) => (f ? null : 'Choose the backup file'), passphrase: (v) => (v ? null : 'Enter its passphrase') },
  });
  const restore = useMutation({
    mutationFn: async (v: { file: File | null; passphrase: string }) => restoreKey(owner.subject, await v.file!.text(), v.passphrase),
    onSuccess: async () => {
      form.reset();
      await qc.invalidateQueries({ queryKey: ['e2ee-held', owner.subject] });
    },
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Restore from a backup file</Title>
      <Text size="sm" my="xs">On a new device or browser, restore {owner.whose} key from its backup file to open and share {owner.whose} end-to-end clips here.</Text>
      {restore.isError && <Alert color="red" role="alert" mb="xs">{restore.error.message}</Alert>}
      {restore.isSuccess && <Alert color="green" role="status" mb="xs">Key {restore.data.keyId.slice(0, 8)} restored in this browser.</Alert>}
      <form onSubmit={form.onSubmit((v) => restore.mutate(v))}>
        <Stack gap="xs">
          <FileInput label="Backup file" accept="application/json,.json" clearable key={form.key('file')} {...form.getInputProps('file')} />
          <PasswordInput label="Its passphrase" autoComplete="current-password" key={form.key('passphrase')} {...form.getInputProps('passphrase')} />
          <Button type="submit" variant="default" loading={restore.isPending} w="fit-content">Restore the key</Button>
        </Stack>
      </form>
    </Paper>
  );
}
