// The one access table. Every route names a permission in its `config.access`;
// a route without one is refused at start-up (default deny). A permission lists
// the actors that may use it; anything not listed is refused.
//
// This decides *who may call a route*. Which rows they may touch (their own
// clips, their own agency's requests) is decided in each capability's pure
// policy, which services call first.
import type { Role } from './db/tables/accounts.ts';
import { forbidden, notFound, unauthorized } from './http/errors.ts';

export type { Role };

export interface UserActor {
  kind: 'user';
  userId: string;
  role: Role;
  agencyId: string | null;
  /** True when this session passed TOTP (at sign-in, or by enrolling in it). */
  totpEnabled: boolean;
  sessionId: string;
  /** How the session token arrived: cookies need CSRF protection, bearer tokens do not. */
  via: 'cookie' | 'bearer';
}

export interface DeviceActor {
  kind: 'device';
  cameraId: string;
  ownerId: string;
  tokenId: string;
}

export interface AnonymousActor {
  kind: 'anonymous';
}

export type Actor = UserActor | DeviceActor | AnonymousActor;
export type AuthenticatedActor = UserActor | DeviceActor;

type Rule = {
  /** Anyone, signed in or not. */
  public?: true;
  /** User roles allowed. */
  roles?: readonly Role[];
  /** Devices (camera tokens) allowed. */
  device?: true;
  /** Allowed before a role that must enrol TOTP has done so. */
  beforeTotp?: true;
};

const EVERYONE: readonly Role[] = ['resident', 'agency', 'reviewer', 'admin'];
const RESIDENT: readonly Role[] = ['resident'];
const AGENCY: readonly Role[] = ['agency'];
const STAFF: readonly Role[] = ['reviewer', 'admin'];

/** Roles that may do nothing but enrol until TOTP is on (PRODUCT.md, Roles). */
export const TOTP_REQUIRED: readonly Role[] = ['agency', 'reviewer', 'admin'];

export const ACCESS = {
  public: { public: true },

  // accounts
  'auth.session': { roles: EVERYONE, beforeTotp: true },
  'auth.totp.enroll': { roles: EVERYONE, beforeTotp: true },
  // only once TOTP is on: the codes are a stand-in for it
  'auth.totp.recovery': { roles: EVERYONE },
  'me.read': { roles: EVERYONE, beforeTotp: true },
  'me.update': { roles: EVERYONE },
  'sessions.manage': { roles: EVERYONE },
  'users.create': { roles: ['admin'] },
  // user administration: standing only (status, TOTP, sessions), never clips or settings
  'users.admin': { roles: ['admin'] },

  // cameras: owners manage their cameras and devices; devices enrol on the public route
  'cameras.manage': { roles: RESIDENT },
  'device.self': { device: true },

  // ledger: the log itself is public; receipts are an owner's own
  'ledger.receipts': { roles: RESIDENT },

  // notifications: every signed-in user has an inbox and an event stream
  'me.events': { roles: EVERYONE },

  // agencies and community requests: staff verify agencies and review requests;
  // members act for their own agency (the service checks which one); owners answer
  'agencies.admin': { roles: STAFF },
  'agency.requests': { roles: AGENCY },
  'requests.review': { roles: STAFF },
  'me.requests': { roles: RESIDENT },

  // end-to-end encryption: owners and agency members register public keys made in their browsers
  'e2ee.self': { roles: RESIDENT },
  'agency.e2ee': { roles: AGENCY },

  // clips: owners read and manage their clips; devices (and owners, by hand) upload
  'clips.upload': { roles: RESIDENT, device: true },
  'clips.read': { roles: RESIDENT },
  'clips.manage': { roles: RESIDENT },
  // retention per camera: only the camera's owner (the service 404s anyone else's camera)
  'clips.retention': { roles: RESIDENT },

  // legal process and emergencies: members submit and read their own agency's
  // (the service checks which agency); reviewers decide; the console lists queues and the audit trail
  'legal.agency': { roles: AGENCY },
  'emergency.agency': { roles: AGENCY },
  'review.legal': { roles: STAFF },
  'review.emergency': { roles: STAFF },
  'review.notice_delay': { roles: STAFF },
  'review.console': { roles: STAFF },

  // the Control Center: an owner exports or deletes their own data, nobody else's
  'me.export': { roles: RESIDENT },
  'me.delete': { roles: RESIDENT },
  // ...and chooses what agencies see of them, and how they are told of things
  'me.contact_sharing': { roles: RESIDENT },
  'me.notification_settings': { roles: RESIDENT },

  // the neighbourhood feed: residents read and write around their homes; agency
  // members post alerts for their own agency (the service checks which); staff remove reported items
  'feed.read': { roles: RESIDENT },
  'feed.write': { roles: RESIDENT },
  'agency.feed': { roles: AGENCY },
  'feed.review': { roles: STAFF },
} as const satisfies Record<string, Rule>;

export type Permission = keyof typeof ACCESS;

export function isPermission(p: unknown): p is Permission {
  return typeof p === 'string' && Object.hasOwn(ACCESS, p);
}

/**
 * Checks an actor against a permission. Returns the actor narrowed to an
 * authenticated one (or the anonymous actor for public routes); throws 401 or 403.
 */
export function authorize(actor: Actor, permission: Permission): Actor {
  const rule: Rule = ACCESS[permission];
  if (rule.public) return actor;
  if (actor.kind === 'anonymous') throw unauthorized();
  if (actor.kind === 'device') {
    if (rule.device) return actor;
    throw forbidden('a device token cannot use this route');
  }
  if (!rule.roles?.includes(actor.role)) throw forbidden(`the ${actor.role} role cannot use this route`);
  if (!actor.totpEnabled && TOTP_REQUIRED.includes(actor.role) && !rule.beforeTotp) {
    throw forbidden(`the ${actor.role} role must enrol TOTP first (POST /api/v1/auth/totp/enroll)`);
  }
  return actor;
}

/** For services: the caller must be a signed-in user. */
export function requireUser(actor: Actor): UserActor {
  if (actor.kind === 'anonymous') throw unauthorized();
  if (actor.kind !== 'user') throw forbidden('a user session is required');
  return actor;
}

/** For services: the caller must be a camera's device token. */
export function requireDevice(actor: Actor): DeviceActor {
  if (actor.kind === 'anonymous') throw unauthorized();
  if (actor.kind !== 'device') throw forbidden('a device token is required');
  return actor;
}

/**
 * The actor must be a member of this agency. Anyone else gets 404, as for
 * another owner's clip: one convention, so that no answer reveals which
 * agencies, demands or emergencies exist.
 */
export function requireMember(actor: Actor, agencyId: string): UserActor {
  if (actor.kind !== 'user' || actor.role !== 'agency' || actor.agencyId !== agencyId) throw notFound('no such agency resource');
  return actor;
}

/** For services: the caller must be a reviewer or an administrator. */
export function requireStaff(actor: Actor): UserActor {
  if (actor.kind !== 'user' || (actor.role !== 'reviewer' && actor.role !== 'admin')) throw forbidden('reviewers only');
  return actor;
}
