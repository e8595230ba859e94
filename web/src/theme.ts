// Mantine theme. Shades are chosen for WCAG 2.2 AA contrast (4.5:1 for text):
// Mantine's default filled shade 6, its light-variant text and its "dimmed"
// grey fall short of it on white, so filled colours use shade 9 (8 for the
// primary), outline labels the same dark shade, and light variants (alerts,
// light badges) use near-black text.
import { createTheme, DEFAULT_THEME, Modal, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    sizes: { h1: { fontSize: 'clamp(1.6rem, 4vw, 2.125rem)', lineHeight: '1.25' } },
  },
  components: {
    // Above Leaflet's panes and controls (z-index up to 1000), so a map on the page never draws over a dialog (issue 19).
    Modal: Modal.extend({ defaultProps: { zIndex: 1100 } }),
  },
});

// Colours too light for white text even at shade 9 keep dark text on their light variant only.
const PALE = new Set(['yellow', 'orange', 'lime']);

export const cssVariables: CSSVariablesResolver = () => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': '#495057',
    '--mantine-color-placeholder': '#5c636a',
    // A field's error text and its input's text take this; Mantine's red 6 is 4.0:1 on white, red 9 is 5.6:1.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  };
  for (const name of Object.keys(DEFAULT_THEME.colors)) {
    light[`--mantine-color-${name}-light-color`] = PALE.has(name) ? '#4a3200' : `color-mix(in srgb, var(--mantine-color-${name}-9) 60%, black)`;
    if (name !== 'indigo' && !PALE.has(name)) {
      light[`--mantine-color-${name}-filled`] = `color-mix(in srgb, var(--mantine-color-${name}-9) 85%, black)`;
      light[`--mantine-color-${name}-filled-hover`] = `color-mix(in srgb, var(--mantine-color-${name}-9) 70%, black)`;
      // Outline buttons draw their label in this colour on white: the same dark shade as filled.
      light[`--mantine-color-${name}-outline`] = `color-mix(in srgb, var(--mantine-color-${name}-9) 85%, black)`;
    }
  }
  return { variables: {}, light, dark: {} };
};
