// The frame of every page: skip link, header with the navigation the signed-in
// role needs, and one <main> landmark. The header collapses into a drawer at phone width.
import { Anchor, AppShell, Burger, Button, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, NavLink as RouterNavLink, useLocation, useNavigate } from 'react-router';
import { useMe, useSignOut, type Me } from '../lib/session';
import { useLiveEvents } from '../lib/live';

type Item = { to: string; label: string; end?: boolean };

const PUBLIC_NAV: Item[] = [
  { to: '/', label: 'Requests', end: true },
  { to: '/public/agencies', label: 'Agencies' },
  { to: '/public/log', label: 'Disclosure log' },
  { to: '/public/transparency', label: 'Transparency report' },
];

function navFor(me: Me | null | undefined): Item[] {
  if (!me) return PUBLIC_NAV;
  if (me.totpRequired && !me.totpEnabled) return [{ to: '/account/totp', label: 'Set up two-factor sign-in' }, ...PUBLIC_NAV];
  switch (me.role) {
    case 'resident':
      return [
        { to: '/home/feed', label: 'Feed' },
        { to: '/home', label: 'Cameras', end: true },
        { to: '/home/clips', label: 'Clips' },
        { to: '/home/requests', label: 'Requests' },
        { to: '/home/receipts', label: 'Receipts' },
        { to: '/home/access-log', label: 'Access log' },
        { to: '/home/account', label: 'Data and account' },
        { to: '/home/notifications', label: 'Notifications' },
        { to: '/home/settings', label: 'Settings' },
        { to: '/home/key', label: 'End-to-end key' },
        { to: '/public/log', label: 'Disclosure log' },
        // Optional for residents; offered until it is on.
        ...(me.totpEnabled ? [] : [{ to: '/account/totp', label: 'Two-factor sign-in' }]),
      ];
    case 'agency':
      return [
        { to: '/agency', label: 'Requests', end: true },
        { to: '/agency/new', label: 'New request' },
        { to: '/agency/legal', label: 'Legal demands' },
        { to: '/agency/emergency', label: 'Emergency' },
        { to: '/agency/key', label: 'End-to-end key' },
        { to: '/agency/notifications', label: 'Notifications' },
        { to: '/public/log', label: 'Disclosure log' },
      ];
    default:
      return [
        { to: '/review', label: 'Queues', end: true },
        { to: '/review/emergency', label: 'Emergencies' },
        { to: '/review/feed', label: 'Feed reports' },
        { to: '/review/agencies', label: 'Agencies' },
        ...(me.role === 'admin' ? [{ to: '/admin/users', label: 'Users' }] : []),
        { to: '/public/log', label: 'Disclosure log' },
      ];
  }
}

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  const items = navFor(me.data);
  // One live event stream per signed-in tab (lib/live.ts), in place of polling.
  useLiveEvents(Boolean(me.data) && !(me.data?.totpRequired && !me.data?.totpEnabled));

  const links = items.map((it) => (
    <NavLink
      key={it.to}
      component={RouterNavLink}
      to={it.to}
      end={it.end}
      label={it.label}
      onClick={close}
      active={it.end ? location.pathname === it.to : location.pathname.startsWith(it.to)}
    />
  ));

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">Skip to content</a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Anchor component={Link} to="/" fw={700} size="lg" underline="never" c="indigo.9">
              Porchlight
            </Anchor>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {me.data ? (
              <>
                <Text size="sm" visibleFrom="sm" aria-label="Signed in as">{me.data.displayName}</Text>
                <Button size="xs" variant="default" onClick={() => void signOut().then(() => navigate('/'))}>
                  Sign out
                </Button>
              </>
            ) : (
              <>
                <Button size="xs" variant="default" component={Link} to="/signin">Sign in</Button>
                <Button size="xs" component={Link} to="/signup" visibleFrom="xs">Join</Button>
              </>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          <Stack gap={2}>{links}</Stack>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
