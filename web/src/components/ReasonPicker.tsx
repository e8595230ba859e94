// A decision's reason: one from a fixed list plus written detail. The list keeps
// reasons comparable across reviewers; the text says what happened here.
import { NativeSelect, Stack, Textarea } from '@mantine/core';

export function ReasonPicker({ reasons, reason, onReason, text, onText, label = 'Reason' }: {
  reasons: { value: string; label: string }[];
  reason: string | null;
  onReason: (v: string | null) => void;
  text: string;
  onText: (v: string) => void;
  label?: string;
}) {
  return (
    <Stack gap="xs">
      {/* A native select: the most dependable widget for keyboards and screen readers. */}
      <NativeSelect
        label={label}
        required
        data={[{ value: '', label: 'Choose a reason' }, ...reasons]}
        value={reason ?? ''}
        onChange={(e) => onReason(e.currentTarget.value || null)}
      />
      <Textarea label="Written reasons" description="Kept in the audit trail" required autosize minRows={2} maxLength={4000} value={text} onChange={(e) => onText(e.currentTarget.value)} />
    </Stack>
  );
}

/** "Reason: text", as stored when the API takes one free-text field. */
export const joinReason = (reasons: { value: string; label: string }[], reason: string | null, text: string) =>
  `${reasons.find((r) => r.value === reason)?.label ?? reason ?? ''}: ${text.trim()}`;
