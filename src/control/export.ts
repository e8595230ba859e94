// The owner's data export (issue 14 §1; GDPR art. 20). A job builds one ZIP
// as a stream and seals it, as it is written, into the blob store with the
// vault (chunked AES-256-GCM under a fresh key wrapped by the master key):
// no plaintext copy of the owner's clips is ever at rest, and memory holds one
// chunk at a time whatever the size. The link works once, for the owner only,
// for 24 hours; then the sealed ZIP is destroyed.
import type { Readable } from 'node:stream';
import type { UserActor } from '../platform/access.ts';
import type { AppContext } from '../platform/context.ts';
import { newId } from '../platform/crypto.ts';
import { requirePorts } from '../platform/ports.ts';
import { isUniqueViolation } from '../platform/db/errors.ts';
import { HttpError, conflict, notFound } from '../platform/http/errors.ts';
import type { Vault } from '../platform/sealed/vault.ts';
import { zipWriter } from '../platform/zip.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { CamerasService } from '../cameras/service.ts';
import type { ClipsService } from '../clips/service.ts';
import { clipSigningPayload } from '../cameras/signature.ts';
import type { LedgerService } from '../ledger/service.ts';
import type { DisclosureService } from '../disclosure/service.ts';
import { EXPORT } from './policy.ts';
import * as repo from './repository.ts';

export interface ExportView {
  id: string;
  status: repo.ExportRow['status'];
  /** Clips written so far, of `total`. */
  done: number;
  total: number;
  size: number | null;
  createdAt: string;
  expiresAt: string | null;
  downloadUrl: string | null;
  error: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function toExportView(r: repo.ExportRow): ExportView {
  return {
    id: r.id, status: r.status, done: Number(r.done), total: Number(r.total), size: r.size === null ? null : Number(r.size),
    createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at), error: r.error,
    downloadUrl: r.status === 'ready' ? `/api/v1/me/export/${r.id}/download` : null,
  };
}

export interface ExportDeps {
  accounts: AccountsService;
  cameras: CamerasService;
  clips: ClipsService;
  ledger: LedgerService;
  disclosure: DisclosureService;
  /** The owner's feed posts and comments (the feed capability answers; control does not read its tables). */
  writings: (actor: UserActor) => Promise<{ posts: unknown[]; comments: unknown[] }>;
  /** Where sealed exports are kept (the instance's blob store, under exports/). */
  vault: Vault;
}

export class ExportService {
  readonly #ctx: AppContext;
  readonly #d: ExportDeps;
  /** Jobs running in this process, so a test (or shutdown) can wait for them. */
  readonly #running = new Map<string, Promise<void>>();

  constructor(ctx: AppContext, deps: ExportDeps) {
    requirePorts('ExportService', deps, ['accounts', 'cameras', 'clips', 'ledger', 'disclosure', 'writings', 'vault']);
    this.#ctx = ctx;
    this.#d = deps;
    ctx.workers.add({ name: 'control.exports', intervalMs: 15 * 60_000, run: async () => void (await this.sweep()) });
  }

  get #db() {
    return this.#ctx.db.kysely;
  }

  /** Starts an export, or returns the one already running (exporting twice at once is one job). */
  async start(actor: UserActor, password: string): Promise<{ created: boolean; job: ExportView }> {
    await this.#d.accounts.confirmPassword(actor, password);
    const now = this.#ctx.clock.now();
    const current = await repo.latestExport(this.#db, actor.userId);
    if (current?.status === 'running') return { created: false, job: toExportView(current) };
    const row: repo.ExportRow = {
      id: newId(), owner_id: actor.userId, status: 'running', done: 0, total: 0, size: null, wrapped_key: null, blob_key: null, error: null,
      created_at: now, ready_at: null, expires_at: null, downloaded_at: null,
    };
    try {
      await repo.insertExport(this.#db, row);
    } catch (err) {
      // Another request of the owner's started one meanwhile (account_exports_one_running): that is the job.
      const running = isUniqueViolation(err) ? await repo.latestExport(this.#db, actor.userId) : undefined;
      if (running?.status === 'running') return { created: false, job: toExportView(running) };
      throw err;
    }
    const job = this.#build(actor, row.id).catch(async (err: unknown) => {
      this.#ctx.log.warn({ err, exportId: row.id }, 'export failed');
      await repo.updateExport(this.#db, row.id, { status: 'failed', error: 'the export could not be built; start it again' }, 'running');
    }).finally(() => this.#running.delete(row.id));
    this.#running.set(row.id, job);
    return { created: true, job: toExportView(row) };
  }

  async latest(actor: UserActor): Promise<ExportView | null> {
    const r = await repo.latestExport(this.#db, actor.userId);
    return r ? toExportView(r) : null;
  }

  /** Waits for this process's running jobs (tests; the web app polls instead). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values());
  }

  async #allClips(actor: UserActor) {
    const out = [];
    let cursor: string | undefined;
    do {
      const page = await this.#d.clips.list(actor, { cursor, limit: 100 });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  async #build(actor: UserActor, id: string): Promise<void> {
    const zip = zipWriter();
    const sealing = this.#d.vault.spool(id, zip.out, EXPORT.maxBytes);
    sealing.catch(() => {}); // observed below
    try {
      await this.#write(actor, id, zip);
      zip.end();
    } catch (err) {
      zip.fail(err);
      await sealing.catch(() => {});
      throw err;
    }
    const spooled = await sealing;
    const blobKey = `exports/${id}`;
    await this.#d.vault.commit(spooled, blobKey);
    const now = this.#ctx.clock.now();
    const ok = await repo.updateExport(this.#db, id, {
      status: 'ready', size: spooled.size, blob_key: blobKey, wrapped_key: this.#d.vault.wrap(spooled.dataKey, id), ready_at: now, expires_at: now + EXPORT.lifetimeMs,
    }, 'running');
    if (!ok) await this.#d.vault.blobs.delete(blobKey);
  }

  async #write(actor: UserActor, id: string, zip: ReturnType<typeof zipWriter>): Promise<void> {
    const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
    const cameras = await this.#d.cameras.list(actor);
    const clips = await this.#allClips(actor);
    // The clips are listed once, here; the total shows once the job knows it.
    await repo.updateExport(this.#db, id, { total: clips.length }, 'running');
    const receipts = await this.#d.ledger.receipts(actor);
    zip.addText('README.txt', README);
    zip.addText('account.json', json({ account: await this.#d.accounts.me(actor), retention: await this.#d.clips.retention(actor), exportedAt: new Date(this.#ctx.clock.now()).toISOString() }));
    zip.addText('cameras.json', json(cameras));
    zip.addText('clips.json', json(clips));
    zip.addText('shares.json', json(await this.#d.disclosure.sharesOf(actor.userId)));
    const writings = await this.#d.writings(actor);
    zip.addText('posts.json', json(writings.posts));
    zip.addText('comments.json', json(writings.comments));
    zip.addText('access-log.json', json(await this.#accessLog(actor)));
    zip.addText('receipts.json', json(receipts));
    for (const r of receipts.receipts) zip.addText(`receipts/entry-${r.index}.json`, json(r));
    let done = 0;
    for (const c of clips) {
      const video = await this.#d.clips.video(actor, c.id, undefined);
      await zip.addStream(`clips/${c.id}.${c.e2ee ? 'envelope' : 'mp4'}`, video.body as Readable);
      zip.addText(`clips/${c.id}.signature.json`, json({
        clipId: c.id, sha256: c.sha256, signed: c.signed, deviceSignature: c.deviceSignature, devicePublicKey: c.devicePublicKey,
        // The exact bytes the camera signed (Ed25519), so the signature can be checked without Porchlight.
        signedPayload: c.signed ? clipSigningPayload({ cameraId: c.cameraId, sha256: c.sha256, startedAt: c.startedAt, endedAt: c.endedAt, kind: c.kind }).toString('utf8') : null,
      }));
      await repo.updateExport(this.#db, id, { done: ++done }, 'running');
    }
  }

  async #accessLog(actor: UserActor) {
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await this.#d.clips.accessLog(actor, { cursor, limit: 100 });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  /** The ZIP, once: the first download marks it used; a second, another user's, or a late one is refused. */
  async download(actor: UserActor, id: string): Promise<{ filename: string; size: number; body: Readable }> {
    const r = await repo.findExport(this.#db, actor.userId, id);
    if (!r) throw notFound('no such export');
    const now = this.#ctx.clock.now();
    if (r.status === 'running') throw conflict('the export is still being built');
    if (r.status === 'downloaded') throw new HttpError(410, 'this export was already downloaded; start a new one');
    if (r.status !== 'ready' || (r.expires_at !== null && Number(r.expires_at) < now)) throw new HttpError(410, 'this export has expired or failed; start a new one');
    if (!(await repo.updateExport(this.#db, id, { status: 'downloaded', downloaded_at: now }, 'ready'))) throw new HttpError(410, 'this export was already downloaded; start a new one');
    const obj = { id: r.id, size: Number(r.size), wrapped_key: r.wrapped_key, blob_key: r.blob_key };
    const body = await this.#d.vault.openAll(obj);
    // Once read, the sealed ZIP goes: the link is single-use.
    body.once('close', () => void this.#destroy(r).catch((err: unknown) => this.#ctx.log.warn({ err, exportId: r.id }, 'could not remove a downloaded export')));
    return { filename: `porchlight-export-${new Date(now).toISOString().slice(0, 10)}.zip`, size: Number(r.size), body };
  }

  async #destroy(r: repo.ExportRow): Promise<void> {
    await repo.updateExport(this.#db, r.id, { wrapped_key: null, blob_key: null });
    if (r.blob_key) await this.#d.vault.blobs.delete(r.blob_key);
  }

  /** At start (after the DATA_DIR lock): half-sealed ZIPs of an interrupted job, and what sweep() finds. */
  async startupSweep(): Promise<void> {
    await this.#d.vault.blobs.sweepTemp();
    await this.sweep();
  }

  /** Jobs a crash left running fail (start again); expired ZIPs are destroyed. */
  async sweep(): Promise<number> {
    const now = this.#ctx.clock.now();
    let n = 0;
    for (const r of await repo.staleExports(this.#db, now)) {
      if (this.#running.has(r.id)) continue;
      if (r.status === 'running') await repo.updateExport(this.#db, r.id, { status: 'failed', error: 'the server restarted while building it; start it again' }, 'running');
      else await repo.updateExport(this.#db, r.id, { status: 'expired' }, 'ready');
      await this.#destroy(r);
      n++;
    }
    return n;
  }

  /** Account deletion: every export of the owner is destroyed with it. */
  async destroyAllOf(ownerId: string): Promise<void> {
    for (const r of await repo.ownerExports(this.#db, ownerId)) {
      await repo.updateExport(this.#db, r.id, { status: r.status === 'running' ? 'failed' : r.status === 'ready' ? 'expired' : r.status });
      await this.#destroy(r);
    }
  }
}

const README = `Porchlight data export

account.json      your account, as the server keeps it (no password or secrets)
cameras.json      your cameras, privacy zones and device keys
clips.json        every clip's metadata: times, SHA-256, device signature
clips/            every clip as your camera recorded it (decrypted), with
                  <id>.signature.json: the bytes the camera signed and its
                  Ed25519 signature and public key. A .envelope file is an
                  end-to-end encrypted clip: the server cannot decrypt it; your
                  browser's key (or its backup file) opens it.
shares.json       every disclosure of your clips: to whom, on what basis, when
posts.json        your feed posts (with the exact point only you see), comments.json your comments
access-log.json   every time anyone read one of your clips, and why
receipts.json     your disclosure-log receipts; each is also in receipts/.
                  Verify one offline with the log's public key:
                    porchlight log verify --receipt receipts/entry-N.json --key VKEY
`;
