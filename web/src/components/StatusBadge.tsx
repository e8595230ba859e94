// One status vocabulary across surfaces, with words, not only colours.
import { Badge } from '@mantine/core';

const COLORS: Record<string, string> = {
  pending_review: 'yellow', pending: 'yellow', submitted: 'yellow', awaiting_callback: 'yellow', awaiting_first: 'yellow', awaiting_second: 'orange',
  approved: 'teal', open: 'teal', sent: 'teal', active: 'teal', disclosed: 'teal', narrowed: 'cyan',
  rejected: 'red', denied: 'red', suspended: 'red', expired: 'gray', closed: 'gray', resolved: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  const color = COLORS[status] ?? 'gray';
  const pale = color === 'yellow' || color === 'orange';
  return (
    <Badge color={pale ? 'dark' : color} variant={pale ? 'outline' : 'filled'} data-testid="status">
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}
