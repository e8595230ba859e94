// The Control Center's settings over HTTP (issue 14 §3, §4): contact sharing
// and notification channels, an owner's own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { IsoTime } from '../platform/http/schemas.ts';
import { KIND_LABELS, NOTIFICATION_KINDS } from '../platform/outbox/policy.ts';
import type { ContactSharingService } from './contact.ts';
import type { NotificationSettingsService } from './notifications.ts';
import { CONTACT } from './policy.ts';

const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ContactSharing = Type.Object({
  enabled: Type.Boolean({ description: 'off by default; when on, agencies you share clips with by consent see the details below' }),
  name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  updatedAt: Nullable(IsoTime),
}, strict);

const ContactInput = Type.Object({
  enabled: Type.Boolean(),
  name: Type.Optional(Nullable(Type.String({ maxLength: CONTACT.nameMax }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: CONTACT.phoneMax }))),
  email: Type.Optional(Nullable(Type.String({ maxLength: CONTACT.emailMax }))),
}, strict);

const Channels = Type.Object({ inapp: Type.Boolean(), email: Type.Boolean(), push: Type.Boolean() }, strict);
const kinds = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Type.Object(Channels.properties, { ...strict, description: KIND_LABELS[k] })])) as Record<(typeof NOTIFICATION_KINDS)[number], typeof Channels>;
const Settings = Type.Object(kinds, strict);
// Kinds left out stay as they are; an unknown kind is refused (Type.Partial would drop the strictness).
const SettingsInput = Type.Object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Type.Optional(kinds[k])])) as { [K in keyof typeof kinds]: ReturnType<typeof Type.Optional<(typeof kinds)[K]>> }, strict);

export function controlSettingsRoutes(contact: ContactSharingService, notifications: NotificationSettingsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['control center'];
    app.get('/api/v1/me/contact-sharing', {
      config: { access: 'me.contact_sharing' },
      schema: { tags, summary: 'What I share with agencies I share clips with by consent', response: { 200: ContactSharing, ...errorResponses(401, 403) } },
    }, async (req) => contact.get(requireUser(req.actor)));

    app.put('/api/v1/me/contact-sharing', {
      config: { access: 'me.contact_sharing' },
      schema: {
        tags, summary: 'Turn contact sharing on (a name and a phone number or e-mail address) or off',
        body: ContactInput, response: { 200: ContactSharing, ...errorResponses(400, 401, 403) },
      },
    }, async (req) => contact.put(requireUser(req.actor), req.body));

    app.get('/api/v1/me/notification-settings', {
      config: { access: 'me.notification_settings' },
      schema: { tags, summary: 'My channels (in-app, e-mail, web push) for each kind of notification', response: { 200: Settings, ...errorResponses(401, 403) } },
    }, async (req) => notifications.get(requireUser(req.actor)));

    app.put('/api/v1/me/notification-settings', {
      config: { access: 'me.notification_settings' },
      schema: {
        tags, summary: 'Choose channels per kind; notices keep at least one channel (400 otherwise)',
        body: SettingsInput, response: { 200: Settings, ...errorResponses(400, 401, 403) },
      },
    }, async (req) => notifications.put(requireUser(req.actor), req.body));
  };
}
