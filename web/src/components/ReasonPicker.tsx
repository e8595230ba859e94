// A decision's reason: one from a fixed list plus written detail. The list keeps
// reasons comparable across reviewers; the text says what happened here.
// Both fields belong to the caller's @mantine/form form, so its checks and the
// server's field errors (web/src/lib/forms.ts) show on them.
import { NativeSelect, Stack, Textarea } from '@mantine/core';
import type { GetInputPropsReturnType } from '@mantine/form';

export type ReasonValues = { reason: string; text: string };

/** The checks both fields need, for a form's `validate`. */
export const reasonRules = {
  reason: (v: string) => (v ? null : 'Choose a reason'),
  text: (v: string) => (v.trim() ? null : 'Write the reasons down: they are kept in the audit trail'),
};

export function ReasonPicker({ reasons, reasonProps, textProps, label = 'Reason' }: {
  reasons: { value: string; label: string }[];
  reasonProps: GetInputPropsReturnType;
  textProps: GetInputPropsReturnType;
  label?: string;
}) {
  return (
    <Stack gap="xs">
      {/* A native select: the most dependable widget for keyboards and screen readers. */}
      <NativeSelect label={label} required data={[{ value: '', label: 'Choose a reason' }, ...reasons]} {...reasonProps} />
      <Textarea label="Written reasons" description="Kept in the audit trail" required autosize minRows={2} maxLength={4000} {...textProps} />
    </Stack>
  );
}

/** "Reason: text", as stored when the API takes one free-text field. */
export const joinReason = (reasons: { value: string; label: string }[], reason: string, text: string) =>
  `${reasons.find((r) => r.value === reason)?.label ?? reason}: ${text.trim()}`;
