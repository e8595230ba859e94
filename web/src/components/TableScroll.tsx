// A horizontally scrollable box for wide tables at phone width. A native
// overflow box that takes focus, so keyboard users can scroll it (axe
// scrollable-region-focusable); Mantine's ScrollContainer's viewport cannot.
import type { ReactNode } from 'react';

export function TableScroll({ minWidth, label = 'Table (scrolls sideways)', children }: { minWidth: number; label?: string; children: ReactNode }) {
  return (
    <div tabIndex={0} role="region" aria-label={label} style={{ overflowX: 'auto', maxWidth: '100%' }}>
      <div style={{ minWidth }}>{children}</div>
    </div>
  );
}
