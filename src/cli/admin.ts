// `porchlight admin create-user`: creates staff accounts from the command line.
// It wires the app and migrates, but never starts it: no sweep, no lock, so it
// is safe while the server runs (issue 11 item 1).
import type { Config } from '../config.ts';
import { wirePrepared } from '../app/prepare.ts';
import type { Role } from '../platform/access.ts';
import { HttpError } from '../platform/http/errors.ts';
import { initOption, openDataDir } from './data-dir.ts';
import { configFrom, parse, printUsage, settingOptions, type Command } from './command.ts';

const STAFF_ROLES = ['reviewer', 'admin', 'agency'] as const;

export const adminCommand: Command = {
  usage: 'porchlight admin create-user --role reviewer|admin|agency --email EMAIL --password PASSWORD --name NAME [--agency AGENCY_ID] [--init] [settings]\n\n  --init    create DATA_DIR and the database if they do not exist yet',
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub !== 'create-user') return printUsage(adminCommand);
    const { values } = parse(rest, {
      ...settingOptions,
      role: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      agency: { type: 'string' },
      ...initOption,
    });
    if (values.help) return printUsage(adminCommand);
    const config = configFrom(values);
    const v = values as Record<string, string | undefined>;
    // The arguments first: a mistyped command says what is missing before it looks at DATA_DIR.
    const bad = checkArguments(v);
    if (bad) return bad;
    await openDataDir(config, { init: Boolean(values.init) });
    return createUserCommand(config, v);
  },
};

function checkArguments(v: Record<string, string | undefined>): number {
  const missing = ['role', 'email', 'password', 'name'].filter((k) => !v[k]);
  if (missing.length) {
    console.error(`missing --${missing.join(', --')}; see "porchlight admin --help"`);
    return 2;
  }
  if (!(STAFF_ROLES as readonly string[]).includes(v.role!)) {
    console.error(`--role must be one of ${STAFF_ROLES.join(', ')}`);
    return 2;
  }
  return 0;
}

export async function createUserCommand(config: Config, v: Record<string, string | undefined>): Promise<number> {
  const bad = checkArguments(v);
  if (bad) return bad;
  const { app, services } = await wirePrepared({ ...config, LOG_LEVEL: 'silent' });
  try {
    const user = await services.accounts.createUser({
      email: v.email!, password: v.password!, displayName: v.name!, role: v.role as Role, agencyId: v.agency ?? null,
    });
    console.log(`created ${user.role} ${user.email} (id ${user.id}); TOTP enrolment is required at first sign-in`);
    return 0;
  } catch (err) {
    if (err instanceof HttpError) {
      console.error(`cannot create user: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await app.close();
  }
}
