// Every migration, in order. Names sort; never rename or edit one that has shipped.
import type { EngineMigration } from '../migrate.ts';
import { m0001_accounts } from './0001_accounts.ts';
import { m0002_cameras } from './0002_cameras.ts';

export const migrations: Record<string, EngineMigration> = {
  '0001_accounts': m0001_accounts,
  '0002_cameras': m0002_cameras,
};
