// Every migration, in order. Names sort; never rename or edit one that has shipped.
import type { EngineMigration } from './kit.ts';
import { m0001_accounts } from './0001_accounts.ts';
import { m0002_cameras } from './0002_cameras.ts';
import { m0002b_clips } from './0002b_clips.ts';
import { m0003_ledger } from './0003_ledger.ts';
import { m0004_outbox } from './0004_outbox.ts';
import { m0005_agencies_requests } from './0005_agencies_requests.ts';
import { m0005b_camera_geo } from './0005b_camera_geo.ts';
import { m0005c_push_subscriptions } from './0005c_push_subscriptions.ts';
import { m0006_disclosure } from './0006_disclosure.ts';
import { m0007_legal_emergency } from './0007_legal_emergency.ts';
import { m0007b_camera_points_blocked } from './0007b_camera_points_blocked.ts';
import { m0008_emergency_state } from './0008_emergency_state.ts';
import { m0009_e2ee } from './0009_e2ee.ts';
import { m0010_redaction } from './0010_redaction.ts';
import { m0011_login_throttle } from './0011_login_throttle.ts';
import { m0012_control_center } from './0012_control_center.ts';
import { m0013_feed } from './0013_feed.ts';
import { m0014_rate_limits } from './0014_rate_limits.ts';
import { m0015_recovery_codes } from './0015_recovery_codes.ts';
import { m0016_clips_sha256 } from './0016_clips_sha256.ts';
import { m0017_contact_and_channels } from './0017_contact_and_channels.ts';
import { m0018_camera_retention } from './0018_camera_retention.ts';
import { m0019_suspension } from './0019_suspension.ts';
import { m0020_camera_points_cluster } from './0020_camera_points_cluster.ts';

export const migrations: Record<string, EngineMigration> = {
  '0001_accounts': m0001_accounts,
  '0002_cameras': m0002_cameras,
  '0002b_clips': m0002b_clips,
  '0003_ledger': m0003_ledger,
  '0004_outbox': m0004_outbox,
  '0005_agencies_requests': m0005_agencies_requests,
  '0005b_camera_geo': m0005b_camera_geo,
  '0005c_push_subscriptions': m0005c_push_subscriptions,
  '0006_disclosure': m0006_disclosure,
  '0007_legal_emergency': m0007_legal_emergency,
  '0007b_camera_points_blocked': m0007b_camera_points_blocked,
  '0008_emergency_state': m0008_emergency_state,
  '0009_e2ee': m0009_e2ee,
  '0010_redaction': m0010_redaction,
  '0011_login_throttle': m0011_login_throttle,
  '0012_control_center': m0012_control_center,
  '0013_feed': m0013_feed,
  '0014_rate_limits': m0014_rate_limits,
  '0015_recovery_codes': m0015_recovery_codes,
  '0016_clips_sha256': m0016_clips_sha256,
  '0017_contact_and_channels': m0017_contact_and_channels,
  '0018_camera_retention': m0018_camera_retention,
  '0019_suspension': m0019_suspension,
  '0020_camera_points_cluster': m0020_camera_points_cluster,
};
