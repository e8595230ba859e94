// The ten recovery codes, shown once: the server keeps only their hashes, so
// this screen is the one chance to copy them. Used after TOTP enrolment and
// after regenerating.
import { Alert, Button, Code, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { applyServerErrors } from '../../lib/forms';
import { useMe } from '../../lib/session';

export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    await navigator.clipboard.writeText(codes.join('\n'));
    setCopied(true);
  }
  return (
    <Stack>
      <Title order={2}>Save your recovery codes</Title>
      <Alert color="yellow" title="Shown only this once">
        If you lose your authenticator app, each of these codes signs you in once in place of a six-digit code. Store them
        somewhere safe (a password manager, or printed and put away): they will not be shown again.
      </Alert>
      <Code block className="mono" data-testid="recovery-codes">{codes.join('\n')}</Code>
      <Group>
        <Button variant="default" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy codes'}</Button>
        <Button onClick={onDone}>I have stored my recovery codes</Button>
      </Group>
      <Text size="sm" c="dimmed">New codes can be made later with your password; making them stops these from working.</Text>
    </Stack>
  );
}

/** Replaces the recovery codes (needs the password); the old ones stop working. */
export function NewRecoveryCodes() {
  const me = useMe();
  const form = useForm({ mode: 'uncontrolled', initialValues: { password: '' } });
  const make = useMutation({
    mutationFn: (v: { password: string }) => unwrap(api.POST('/api/v1/auth/totp/recovery-codes', { body: v })),
    onSuccess: () => form.reset(),
    onError: (err) => applyServerErrors(form, err),
  });
  if (!me.data?.totpEnabled) return null;
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h3">Recovery codes</Title>
      {make.data ? (
        <RecoveryCodes codes={make.data.recoveryCodes} onDone={() => make.reset()} />
      ) : (
        <form onSubmit={form.onSubmit((v) => make.mutate(v))}>
          <Stack gap="xs">
            <Text size="sm">Lost or used up your recovery codes? Make ten new ones; the old ones stop working.</Text>
            <PasswordInput label="Your password" autoComplete="current-password" key={form.key('password')} {...form.getInputProps('password')} />
            <Button type="submit" loading={make.isPending} w="fit-content">Make new recovery codes</Button>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
