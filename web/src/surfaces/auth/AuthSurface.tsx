// Sign-in (with the TOTP step when the account has it), resident sign-up, and
// TOTP enrolment, which agency members, reviewers and admins must finish first.
import { Alert, Anchor, Button, Code, Container, Group, NumberInput, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../../api/client';
import { usePublicConfig } from '../../lib/config';
import { applyServerErrors } from '../../lib/forms';
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

/** The sign-in refusal in words; a 429 also says at what time to try again (its Retry-After). */
function signInProblem(err: unknown): { title: string; text: string; retryAt: Date | null } {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof ApiError && err.status === 429) {
    const retryAt = err.retryAfter !== null ? new Date(Date.now() + err.retryAfter * 1000) : null;
    return { title: 'Too many failed sign-ins', text, retryAt };
  }
  return { title: 'Could not sign in', text, retryAt: null };
}

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [needTotp, setNeedTotp] = useState(false);
  const [problem, setProblem] = useState<ReturnType<typeof signInProblem> | null>(null);
  const form = useForm({
    initialValues: { email: '', password: '', totp: '' },
    transformValues: (v) => ({ ...v, totp: v.totp.trim() }),
    validate: {
      email: (v) => (v.trim() ? null : 'Enter your e-mail address'),
      password: (v) => (v ? null : 'Enter your password'),
      totp: (v) => (needTotp && !v.trim() ? 'Enter the code from your authenticator app, or a recovery code' : null),
    },
  });
  const login = useMutation({
    mutationFn: (v: { email: string; password: string; totp: string }) =>
      unwrap(api.POST('/api/v1/auth/login', { body: { email: v.email, password: v.password, ...(v.totp ? { totp: v.totp } : {}) } })),
    onMutate: () => setProblem(null),
    onSuccess: (out) => {
      qc.clear();
      qc.setQueryData(['me'], out.user);
      navigate(safeNext(params.get('next')) ?? homeFor(out.user), { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 401 && err.message === TOTP_NEEDED) {
        setNeedTotp(true);
        form.setFieldError('totp', 'Enter the code from your authenticator app, or a recovery code');
      } else if (!applyServerErrors(form, err)) setProblem(signInProblem(err));
    },
  });

  return (
    <Container size={420}>
      <Title order={1} mb="md">Sign in</Title>
      <Paper withBorder p="lg" component="form" onSubmit={form.onSubmit((v) => login.mutate(v))} noValidate aria-label="Sign in">
        <Stack>
          {problem && (
            <Alert color="red" role="alert" title={problem.title} data-testid="signin-problem">
              {problem.text}
              {problem.retryAt && <Text size="sm" mt={4} data-testid="retry-at">You can try again at {clock.format(problem.retryAt)}.</Text>}
            </Alert>
          )}
          <TextInput label="E-mail" type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
          {/* Asked up front, so staff sign in with one request; the server says when it is missing. */}
          <TextInput
            label="Authenticator code"
            description={needTotp
              ? 'This account uses two-factor sign-in: enter the six digits from your authenticator app, or one of your recovery codes.'
              : 'Agency and reviewer accounts, or if you turned on two-factor sign-in; a recovery code works here too'}
            autoComplete="one-time-code"
            required={needTotp}
            {...form.getInputProps('totp')}
          />
          <Button type="submit" loading={login.isPending}>Sign in</Button>
          <Text size="sm">
            New here? <Anchor component={Link} to="/signup">Create a resident account</Anchor>
          </Text>
        </Stack>
      </Paper>
    </Container>
  );
}

type SignUpValues = { displayName: string; email: string; password: string; home: { lat: number | ''; lon: number | '' } };

function SignUp() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  // The server's own rules (GET /api/v1/public/config, from src/accounts/policy.ts), so the hint is what registration checks.
  const config = usePublicConfig().data;
  const rules = config?.password.rules ?? 'Checked when you create the account';
  const minLength = config?.password.minLength;
  const form = useForm<SignUpValues>({
    initialValues: { displayName: '', email: '', password: '', home: { lat: '', lon: '' } },
    validate: {
      displayName: (v) => (v.trim() ? null : 'Enter your name'),
      email: (v) => (/^\S+@\S+$/.test(v.trim()) ? null : 'Enter an e-mail address'),
      // Only the length, from the server's number; the server checks the rest and its answer lands on this field.
      password: (v) => (minLength && v.length < minLength ? `must be at least ${minLength} characters` : null),
      home: { lat: (v) => (v === '' ? 'Choose your home on the map or enter its coordinates' : null), lon: (v) => (v === '' ? 'Enter the longitude too' : null) },
    },
  });
  const { lat, lon } = form.values.home;
  const home = lat === '' || lon === '' ? null : { lat, lon };
  const register = useMutation({
    mutationFn: async (v: SignUpValues) => {
      const body = { displayName: v.displayName, email: v.email, password: v.password, home: { lat: Number(v.home.lat), lon: Number(v.home.lon) } };
      await unwrap(api.POST('/api/v1/auth/register', { body }));
      return unwrap(api.POST('/api/v1/auth/login', { body: { email: v.email, password: v.password } }));
    },
    onSuccess: (out) => {
      qc.clear();
      qc.setQueryData(['me'], out.user);
      navigate('/home', { replace: true });
    },
    onError: (err) => void applyServerErrors(form, err),
  });
  // A field error is shown on its field; the alert only when the server named none.
  const shownOnFields = register.error instanceof ApiError && register.error.fieldErrors.length > 0;

  return (
    <Container size="sm">
      <Title order={1} mb="xs">Create a resident account</Title>
      <Text mb="md">Your clips stay yours. Nothing you record reaches anyone unless you share it, a reviewed warrant covers it, or two reviewers approve an emergency, and every such disclosure is on a public log.</Text>
      <Paper withBorder p="lg" component="form" onSubmit={form.onSubmit((v) => register.mutate(v))} noValidate aria-label="Create an account">
        <Stack>
          {register.isError && !shownOnFields && <Alert color="red" role="alert" title="Could not create the account">{register.error.message}</Alert>}
          <TextInput label="Your name" required {...form.getInputProps('displayName')} />
          <TextInput label="E-mail" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" description={rules} autoComplete="new-password" required minLength={minLength} {...form.getInputProps('password')} />
          <Text fw={500} size="sm">Home location (used only to find requests near you; never shown to agencies)</Text>
          <MapView label="Map: click to set your home" height={240} markers={home ? [{ id: 'home', label: 'Home', ...home }] : []} onMapClick={(p) => form.setFieldValue('home', p)} />
          <Group grow>
            <NumberInput label="Latitude" decimalScale={6} min={-90} max={90} {...form.getInputProps('home.lat')} />
            <NumberInput label="Longitude" decimalScale={6} min={-180} max={180} {...form.getInputProps('home.lon')} />
          </Group>
          <Button type="submit" loading={register.isPending}>Create account</Button>
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
  const [enrolled, setEnrolled] = useState<{ user: Me; codes: string[] } | null>(null);
  const form = useForm({
    initialValues: { code: '' },
    // Authenticator apps show the code with a space in the middle; the server wants the digits.
    transformValues: (v) => ({ code: v.code.replace(/\s/g, '') }),
    validate: { code: (v) => (/^\d{6}$/.test(v.replace(/\s/g, '')) ? null : 'Enter the six digits your authenticator app shows') },
  });
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/enroll')),
    onSuccess: setSecret,
  });
  const confirm = useMutation({
    mutationFn: (v: { code: string }) => unwrap(api.POST('/api/v1/auth/totp/verify', { body: v })),
    onSuccess: ({ recoveryCodes, ...user }) => setEnrolled({ user, codes: recoveryCodes }),
    // A wrong code is the server's answer about this one field, with or without a field name.
    onError: (err) => {
      if (!applyServerErrors(form, err)) form.setFieldError('code', err instanceof Error ? err.message : String(err));
    },
  });

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
          {start.isError && <Alert color="red" role="alert">{start.error.message}</Alert>}
          {!secret ? (
            <Button onClick={() => start.mutate()} loading={start.isPending} w="fit-content">Show my secret</Button>
          ) : (
            <form onSubmit={form.onSubmit((v) => confirm.mutate(v))} noValidate aria-label="Confirm authenticator">
              <Stack>
                <Text size="sm">Scan this code with your authenticator app, or type the secret below into it (or open the link on the phone that has it):</Text>
                <QrCode text={secret.otpauthUri} label="QR code of your two-factor secret, for an authenticator app" />
                <Code block className="mono" data-testid="totp-secret">{secret.secret}</Code>
                <Anchor href={secret.otpauthUri} size="sm">Open in authenticator app</Anchor>
                <TextInput label="Current code" inputMode="numeric" autoComplete="one-time-code" required {...form.getInputProps('code')} />
                <Button type="submit" loading={confirm.isPending} w="fit-content">Turn on two-factor sign-in</Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Container>
  );
}
