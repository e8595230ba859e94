// The whole database as Kysely sees it: one interface per capability, merged.
// Conventions on both engines: ids are text, times are epoch milliseconds
// (bigint), flags are integers 0/1, JSON is text, bytes are blob/bytea.
import type { AccountsTables } from './tables/accounts.ts';
import type { PlatformTables } from './tables/platform.ts';
import type { CamerasTables } from './tables/cameras.ts';
import type { ClipsTables } from './tables/clips.ts';
import type { OutboxTables } from './tables/outbox.ts';
import type { RequestsTables } from './tables/requests.ts';
import type { DisclosureTables } from './tables/disclosure.ts';
import type { LegalTables } from './tables/legal.ts';
import type { LedgerTables } from './tables/ledger.ts';
import type { E2eeTables } from './tables/e2ee.ts';
import type { FeedTables } from './tables/feed.ts';

export interface Database extends AccountsTables, CamerasTables, ClipsTables, OutboxTables, RequestsTables, DisclosureTables, LedgerTables, LegalTables, E2eeTables, FeedTables, PlatformTables {}
