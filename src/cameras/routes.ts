// Cameras over HTTP: registration and settings (owners), privacy zones, device
// enrolment and device tokens. The request shape of POST /api/v1/cameras is
// fixed: the camera agent and outside clients rely on it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireUser } from '../platform/access.ts';
import { errorResponses } from '../platform/http/errors.ts';
import { IdParams, LatLon } from '../platform/http/schemas.ts';
import { ENROLMENT, LIMITS } from './policy.ts';
import type { CamerasService } from './service.ts';

const strict = { additionalProperties: false } as const;

// Spelled out (not mapped from CAMERA_KINDS) so TypeBox infers the literal union; a policy test checks they agree.
export const Kind = Type.Union([Type.Literal('doorbell'), Type.Literal('outdoor'), Type.Literal('indoor')]);
// Shapes and ranges here; polygon validity (no self-crossing, an area) in policy.ts.
const Coordinate = Type.Number({ minimum: 0, maximum: 1 });
const Zone = Type.Array(Type.Array(Coordinate, { minItems: 2, maxItems: 2 }), { minItems: 3, maxItems: LIMITS.maxZonePoints + 1 });
const Zones = Type.Array(Zone, { maxItems: LIMITS.maxZones, description: 'polygons in normalised frame coordinates: [x, y], 0..1 from the top left' });
const Heading = Type.Union([Type.Number({ minimum: 0, exclusiveMaximum: 360 }), Type.Null()], { description: 'compass bearing the lens faces, degrees' });
const Fov = Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 360 }), Type.Null()], { description: 'horizontal field of view, degrees' });
const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameMaxLength });

const CameraFields = {
  name: Name,
  location: LatLon,
  kind: Kind,
  heading: Type.Optional(Heading),
  fovDegrees: Type.Optional(Fov),
  communityRequests: Type.Optional(Type.Boolean({ description: 'takes part in community requests (default true)' })),
  e2ee: Type.Optional(Type.Boolean({ description: 'end-to-end encrypted mode (default false)' })),
  privacyZones: Type.Optional(Zones),
};

export const Camera = Type.Object({
  id: Type.String(),
  name: Type.String(),
  location: Type.Object({ lat: Type.Number(), lon: Type.Number() }),
  heading: Type.Union([Type.Number(), Type.Null()]),
  fovDegrees: Type.Union([Type.Number(), Type.Null()]),
  kind: Kind,
  communityRequests: Type.Boolean(),
  e2ee: Type.Boolean(),
  privacyZones: Type.Array(Type.Array(Type.Array(Type.Number()))),
  device: Type.Object({ enrolled: Type.Boolean(), publicKey: Type.Union([Type.String(), Type.Null()]) }),
  createdAt: Type.String({ format: 'date-time' }),
});

const DeviceToken = Type.Object({
  cameraId: Type.String(),
  token: Type.String({ description: 'bearer token for the device ("pld_…"); shown once, stored only as a hash' }),
});

export function camerasRoutes(cameras: CamerasService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['cameras'];

    app.post('/api/v1/cameras', {
      config: { access: 'cameras.manage' },
      schema: { tags, summary: 'Register a camera', body: Type.Object(CameraFields, strict), response: { 201: Camera, ...errorResponses(400, 401, 403) } },
    }, async (req, reply) => reply.code(201).send(await cameras.create(requireUser(req.actor), req.body)));

    app.get('/api/v1/cameras', {
      config: { access: 'cameras.manage' },
      schema: { tags, summary: 'My cameras', response: { 200: Type.Array(Camera), ...errorResponses(401, 403) } },
    }, async (req) => cameras.list(requireUser(req.actor)));

    app.get('/api/v1/cameras/:id', {
      config: { access: 'cameras.manage' },
      schema: { tags, summary: 'One of my cameras', params: IdParams, response: { 200: Camera, ...errorResponses(400, 401, 403, 404) } },
    }, async (req) => cameras.get(requireUser(req.actor), req.params.id));

    app.patch('/api/v1/cameras/:id', {
      config: { access: 'cameras.manage' },
      schema: {
        tags,
        summary: 'Change a camera (only the fields sent)',
        params: IdParams,
        body: Type.Object({ ...CameraFields, name: Type.Optional(Name), location: Type.Optional(LatLon), kind: Type.Optional(Kind) }, { ...strict, minProperties: 1 }),
        response: { 200: Camera, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => cameras.update(requireUser(req.actor), req.params.id, req.body));

    app.delete('/api/v1/cameras/:id', {
      config: { access: 'cameras.manage' },
      schema: { tags, summary: 'Remove a camera; its device token stops working (its clips stay until deleted or expired)', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      await cameras.remove(requireUser(req.actor), req.params.id);
      return reply.code(204).send(null);
    });

    app.put('/api/v1/cameras/:id/privacy-zones', {
      config: { access: 'cameras.manage' },
      schema: {
        tags,
        summary: 'Replace the privacy zones; every copy shared by consent has them blacked out',
        params: IdParams,
        body: Type.Object({ zones: Zones }, strict),
        response: { 200: Camera, ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req) => cameras.setPrivacyZones(requireUser(req.actor), req.params.id, req.body.zones));

    app.post('/api/v1/cameras/:id/enrolment-code', {
      config: { access: 'cameras.manage' },
      schema: {
        tags,
        summary: `Create a one-time enrolment code (valid ${ENROLMENT.ttlMs / 60_000} minutes; ends any earlier unused code)`,
        params: IdParams,
        response: { 201: Type.Object({ code: Type.String(), expiresAt: Type.String({ format: 'date-time' }) }), ...errorResponses(400, 401, 403, 404) },
      },
    }, async (req, reply) => reply.code(201).send(await cameras.createEnrolmentCode(requireUser(req.actor), req.params.id)));

    app.post('/api/v1/devices/enroll', {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'A device exchanges an enrolment code for a device token and registers its Ed25519 key',
        security: [],
        body: Type.Object({
          code: Type.String({ minLength: 1, maxLength: 64 }),
          publicKey: Type.String({ minLength: 1, maxLength: 128, description: 'base64 of the raw 32-byte Ed25519 public key' }),
        }, strict),
        response: { 201: DeviceToken, ...errorResponses(400, 401) },
      },
    }, async (req, reply) => reply.code(201).send(await cameras.enrol(req.body)));

    app.get('/api/v1/devices/me', {
      config: { access: 'device.self' },
      schema: { tags, summary: "The calling device's camera", response: { 200: Camera, ...errorResponses(401, 403) } },
    }, async (req) => cameras.deviceCamera(req.actor));

    app.post('/api/v1/devices/me/token/rotate', {
      config: { access: 'device.self' },
      schema: {
        tags,
        summary: 'A device replaces its own token; the calling token stops working',
        response: { 201: DeviceToken, ...errorResponses(401, 403) },
      },
    }, async (req, reply) => reply.code(201).send(await cameras.rotateOwnToken(req.actor)));

    app.post('/api/v1/cameras/:id/device-token/rotate', {
      config: { access: 'cameras.manage' },
      schema: {
        tags,
        summary: "Issue a new device token and revoke the old one (the device key stays)",
        params: IdParams,
        response: { 201: DeviceToken, ...errorResponses(400, 401, 403, 404, 409) },
      },
    }, async (req, reply) => reply.code(201).send(await cameras.rotateDeviceToken(requireUser(req.actor), req.params.id)));

    app.delete('/api/v1/cameras/:id/device-token', {
      config: { access: 'cameras.manage' },
      schema: { tags, summary: "Revoke the device's tokens", params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } },
    }, async (req, reply) => {
      await cameras.revokeDeviceTokens(requireUser(req.actor), req.params.id);
      return reply.code(204).send(null);
    });
  };
}
