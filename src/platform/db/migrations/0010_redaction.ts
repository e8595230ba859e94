// Which privacy zones a consent copy had burned in (issue 17, defect 9): a
// camera without zones now shares its original bytes, so the device signature
// verifies on what the agency receives; a copy with zones names the zones in
// its evidence manifest. Null for originals and sealed clips.
import type { EngineMigration } from './kit.ts';

export const m0010_redaction: EngineMigration = {
  async up(db) {
    await db.schema.alterTable('disclosures').addColumn('redaction', 'text').execute();
  },
};
