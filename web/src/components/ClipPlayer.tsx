// A clip player in a modal: the browser's own <video> controls (keyboard and
// screen-reader ready), streaming with HTTP ranges from the given URL.
import { Modal, Stack, Text } from '@mantine/core';

export function ClipPlayer({ src, title, onClose, details }: { src: string | null; title: string; onClose: () => void; details?: string }) {
  return (
    <Modal opened={src !== null} onClose={onClose} title={title} size="xl" centered closeButtonProps={{ "aria-label": "Close player" }}>
      {src && (
        <Stack gap="xs">
          <video src={src} controls autoPlay={false} style={{ width: '100%', background: '#000', borderRadius: 6 }} aria-label={title}>
            <track kind="captions" />
          </video>
          {details && <Text size="sm">{details}</Text>}
        </Stack>
      )}
    </Modal>
  );
}
