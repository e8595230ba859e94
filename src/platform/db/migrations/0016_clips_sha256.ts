// Duplicate uploads (issue 19): an upload whose bytes a camera already holds as
// a live clip answers with that clip, found through this index. It is not
// unique: databases from before it may already hold duplicates, and end-to-end
// clips hash their envelopes, not the video. Without uniqueness two identical
// uploads at the very same moment can both become clips (src/clips/ingest.ts).
import type { EngineMigration } from './kit.ts';

export const m0016_clips_sha256: EngineMigration = {
  async up(db) {
    await db.schema.createIndex('clips_camera_sha256').on('clips').columns(['camera_id', 'sha256']).execute();
  },
};
