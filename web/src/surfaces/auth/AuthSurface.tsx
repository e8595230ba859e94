// Sign-in (with the TOTP step when the account has it), resident sign-up, and
// TOTP enrolment, which agency members, reviewers and admins must finish first.
import { Alert, Anchor, Button, Code, Container, Group, NumberInput, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../../api/client';
import { usePublicConfig } from '../../lib/config';
import { MapView } from '../../components/MapView';
import { Loading } from '../../components/States';
import { QrCode } from '../../components/QrCode';
import { RecoveryCodes } from './RecoveryCodes';
import { homeFor, useMe, type Me } from '../../lib/session';

export default function AuthSurface({ page }: { page: 'signin' | 'signup' | 'totp' }) {
  if (page === 'signin') return <SignIn />;
  if (page === 'signup') return <SignUp />;
  return <TotpEnrol />;
}

const TOTP_NEEDED = 'TOTP code required';

/** Only same-site paths are followed after sign-in, never another origin. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : null);

function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const out = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password, ...(totp ? { totp } : {}) } }));
      qc.clear();
      qc.setQueryData(['me'], out.user);
      navigate(safeNext(params.get('next')) ?? homeFor(out.user), { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && err.message === TOTP_NEEDED) {
        setNeedTotp(true);
        setError(null);
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size={420}>
      <Title order={1} mb="md">Sign in</Title>
      <Paper withBorder p="lg" component="form" onSubmit={submit} aria-label="Sign in">
        <Stack>
          {error && <Alert color="red" role="alert" title="Could not sign in">{error}</Alert>}
          <TextInput label="E-mail" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          {/* Asked up front, so staff sign in with one request; the server says when it is missing. */}
          <TextInput
            label="Authenticator code"
            description={needTotp
              ? 'This account uses two-factor sign-in: enter the six digits from your authenticator app, or one of your recovery codes.'
              : 'Agency and reviewer accounts, or if you turned on two-factor sign-in; a recovery code works here too'}
            autoComplete="one-time-code"
            required={needTotp}
            error={needTotp && !totp ? 'Enter the code from your authenticator app, or a recovery code' : undefined}
            value={totp}
            onChange={(e) => setTotp(e.currentTarget.value.trim())}
          />
          <Button type="submit" loading={busy}>Sign in</Button>
          <Text size="sm">
            New here? <Anchor component={Link} to="/signup">Create a resident account</Anchor>
          </Text>
        </Stack>
      </Paper>
    </Container>
  );
}

function SignUp() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [form, setForm] = useState({ displayName: '', email: '', password: '' });
  const [home, setHome] = useState<{ lat: number; lon: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The server's own rules (GET /api/v1/public/config), so the hint is what registration checks.
  const config = usePublicConfig().data;
  const rules = config?.password.rules ?? 'Checked when you create the account';
  const minLength = config?.password.minLength;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!home) return setError('Choose your home on the map or enter its coordinates.');
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST('/api/v1/auth/register', { body: { ...form, home } }));
      const out = await unwrap(api.POST('/api/v1/auth/login', { body: { email: form.email, password: form.password } }));
      qc.clear();
      qc.setQueryData(['me'], out.user);
      navigate('/home', { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size="sm">
      <Title order={1} mb="xs">Create a resident account</Title>
      <Text mb="md">Your clips stay yours. Nothing you record reaches anyone unless you share it, a reviewed warrant covers it, or two reviewers approve an emergency, and every such disclosure is on a public log.</Text>
      <Paper withBorder p="lg" component="form" onSubmit={submit} aria-label="Create an account">
        <Stack>
          {error && <Alert color="red" role="alert" title="Could not create the account">{error}</Alert>}
          <TextInput label="Your name" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
          <TextInput label="E-mail" type="email" autoComplete="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} />
          <PasswordInput label="Password" description={rules} autoComplete="new-password" required minLength={minLength} value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} />
          <Text fw={500} size="sm">Home location (used only to find requests near you; never shown to agencies)</Text>
          <MapView label="Map: click to set your home" height={240} markers={home ? [{ id: 'home', label: 'Home', ...home }] : []} onMapClick={setHome} />
          <Group grow>
            <NumberInput label="Latitude" decimalScale={6} min={-90} max={90} value={home?.lat ?? ''} onChange={(v) => setHome({ lat: Number(v), lon: home?.lon ?? 0 })} />
            <NumberInput label="Longitude" decimalScale={6} min={-180} max={180} value={home?.lon ?? ''} onChange={(v) => setHome({ lat: home?.lat ?? 0, lon: Number(v) })} />
          </Group>
          <Button type="submit" loading={busy}>Create account</Button>
        </Stack>
      </Paper>
    </Container>
  );
}

function TotpEnrol() {
  const me = useMe();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [secret, setSecret] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [enrolled, setEnrolled] = useState<{ user: Me; codes: string[] } | null>(null);

  // Before the redirect below: the user is enrolled by now, but the codes must be seen first.
  if (enrolled) {
    const done = () => {
      qc.setQueryData(['me'], enrolled.user);
      navigate(homeFor(enrolled.user), { replace: true });
    };
    return (
      <Container size={520}>
        <Paper withBorder p="lg"><RecoveryCodes codes={enrolled.codes} onDone={done} /></Paper>
      </Container>
    );
  }
  if (me.isPending) return <Loading />;
  if (!me.data) return <Navigate to="/signin?next=/account/totp" replace />;
  if (me.data.totpEnabled) return <Navigate to={homeFor(me.data)} replace />;

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setSecret(await unwrap(api.POST('/api/v1/auth/totp/enroll')));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }
  async function confirm(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { recoveryCodes, ...user } = await unwrap(api.POST('/api/v1/auth/totp/verify', { body: { code } }));
      setEnrolled({ user, codes: recoveryCodes });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Container size={520}>
      <Title order={1} mb="xs">Set up two-factor sign-in</Title>
      <Text mb="md">
        {me.data.totpRequired
          ? 'Agency members and reviewers must use an authenticator app before they can do anything else.'
          : 'Add a code from an authenticator app to your sign-in.'}
      </Text>
      <Paper withBorder p="lg">
        <Stack>
          {error && <Alert color="red" role="alert">{error}</Alert>}
          {!secret ? (
            <Button onClick={() => void start()} loading={busy} w="fit-content">Show my secret</Button>
          ) : (
            <form onSubmit={confirm} aria-label="Confirm authenticator">
              <Stack>
                <Text size="sm">Scan this code with your authenticator app, or type the secret below into it (or open the link on the phone that has it):</Text>
                <QrCode text={secret.otpauthUri} label="QR code of your two-factor secret, for an authenticator app" />
                <Code block className="mono" data-testid="totp-secret">{secret.secret}</Code>
                <Anchor href={secret.otpauthUri} size="sm">Open in authenticator app</Anchor>
                <TextInput label="Current code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.currentTarget.value.trim())} />
                <Button type="submit" loading={busy} w="fit-content">Turn on two-factor sign-in</Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Container>
  );
}
