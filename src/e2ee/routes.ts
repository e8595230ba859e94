// End-to-end encryption over HTTP: an owner's and an agency's public key, a
// device's view of its camera's mode, and an owner's sealed clip secret.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireDevice, requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { Id, IdParams } from '../platform/http/schemas.ts';
import { EnrolKey, KeyView, SealedKeyView } from './schemas.ts';
import type { E2eeService } from './service.ts';

export function e2eeRoutes(e2ee: E2eeService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['e2ee'];

    app.get('/api/v1/me/e2ee-key', {
      config: { access: 'e2ee.self' },
      schema: { tags, summary: 'Your end-to-end public key, or null before you have made one', response: { 200: Type.Union([KeyView, Type.Null()]), ...errorResponses(401, 403) } },
    }, async (req) => e2ee.myKey(requireUser(req.actor)));

    app.put('/api/v1/me/e2ee-key', {
      config: { access: 'e2ee.self' },
      schema: {
        tags, summary: "Register the public half of a key pair your browser made; it replaces your earlier key (clips sealed to that one need that one's private key)",
        body: EnrolKey, response: { 200: KeyView, ...errorResponses(400, 401, 403) },
      },
    }, async (req) => e2ee.enrolMyKey(requireUser(req.actor), req.body.publicKey));

    app.get('/api/v1/agencies/:id/e2ee-key', {
      config: { access: 'agency.e2ee' },
      schema: { tags, summary: "Your agency's end-to-end public key (members), or null before one is made", params: IdParams, response: { 200: Type.Union([KeyView, Type.Null()]), ...errorResponses(400, 401, 403) } },
    }, async (req) => e2ee.agencyKey(requireUser(req.actor), req.params.id));

    app.put('/api/v1/agencies/:id/e2ee-key', {
      config: { access: 'agency.e2ee' },
      schema: {
        tags, summary: "Register your agency's public key, made in a member's browser, so owners can share end-to-end encrypted clips with it",
        params: IdParams, body: EnrolKey, response: { 200: KeyView, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => e2ee.enrolAgencyKey(requireUser(req.actor), req.params.id, req.body.publicKey));

    app.get('/api/v1/devices/me/e2ee', {
      config: { access: 'device.self' },
      schema: {
        tags, summary: "The device's camera mode, its owner's public key, and the privacy zones the agent burns in before sealing",
        response: { 200: Type.Object({ e2ee: Type.Boolean(), ownerKey: Type.Union([KeyView, Type.Null()]), privacyZones: Type.Array(Type.Unknown()) }), ...errorResponses(401, 403, 404) },
      },
    }, async (req) => e2ee.forDevice(requireDevice(req.actor)));

    app.get('/api/v1/clips/:id/sealed-key', {
      config: { access: 'clips.read' },
      schema: {
        tags, summary: "Your end-to-end clip's secret, sealed to your key, with the envelope header it is bound to",
        params: Type.Object({ id: Id }, { additionalProperties: false }),
        response: { 200: SealedKeyView, ...errorResponses(400, 401, 403, 404, 409, 410) },
      },
    }, async (req) => e2ee.ownerSealedKey(requireUser(req.actor), req.params.id));
  };
}
