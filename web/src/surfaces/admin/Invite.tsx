// Inviting a resident or an agency member: the server creates the account,
// e-mails the invitee, and answers an initial password shown here once, for
// the administrator to hand over (as reviewers invite agency members).
import { Alert, Button, Code, Modal, Text, NativeSelect, Stack, TextInput, Textarea, Group } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { applyServerErrors } from '../../lib/forms';

type Values = { email: string; displayName: string; role: 'resident' | 'agency'; agencyId: string; reason: string };

export function InviteButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>Invite a user</Button>
      {open && <InviteModal onClose={() => setOpen(false)} />}
    </>
  );
}

function InviteModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const form = useForm<Values>({
    initialValues: { email: '', displayName: '', role: 'resident', agencyId: '', reason: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : 'an e-mail address'),
      displayName: (v) => (v.trim() ? null : 'a name'),
      agencyId: (v, all) => (all.role === 'agency' && !v.trim() ? 'the agency id' : null),
      reason: (v) => (v.trim() ? null : 'give a reason'),
    },
  });
  const invite = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/admin/invitations', {
      body: { email: v.email.trim(), displayName: v.displayName.trim(), role: v.role, reason: v.reason.trim(), ...(v.role === 'agency' ? { agencyId: v.agencyId.trim() } : {}) },
    })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['admin-users'] }),
    onError: (err) => void applyServerErrors(form, err),
  });
  return (
    <Modal opened onClose={onClose} title="Invite a user">
      {invite.data ? (
        <Stack>
          <InitialPassword email={invite.data.user.email} password={invite.data.initialPassword} />
          <Button onClick={onClose} w="fit-content">Done</Button>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => invite.mutate(v))} noValidate>
          <Stack>
            {invite.isError && <Alert color="red" role="alert">{invite.error.message}</Alert>}
            <TextInput label="E-mail" type="email" required maxLength={254} data-autofocus {...form.getInputProps('email')} />
            <TextInput label="Name" required maxLength={100} {...form.getInputProps('displayName')} />
            <NativeSelect label="Role" data={[{ value: 'resident', label: 'Resident' }, { value: 'agency', label: 'Agency member' }]} {...form.getInputProps('role')} />
            {form.values.role === 'agency' && <TextInput label="Agency id" required {...form.getInputProps('agencyId')} />}
            <Textarea label="Reason (kept in the audit trail)" required autosize minRows={2} maxLength={500} {...form.getInputProps('reason')} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>Cancel</Button>
              <Button type="submit" loading={invite.isPending}>Invite</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

export function InitialPassword({ email, password }: { email: string; password: string }) {
  return (
    <Alert color="indigo" title="Initial password (shown once)">
      <Text size="sm">Give it to {email} in person or by phone. An e-mail told them their account exists.</Text>
      <Code className="mono" data-testid="initial-password">{password}</Code>
    </Alert>
  );
}
