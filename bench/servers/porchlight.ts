// The real app on a fresh SQLite database, with one signed-in resident whose
// token is printed for the load generator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wirePrepared } from '../../src/app/prepare.ts';
import { loadConfig } from '../../src/config.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porchlight-bench-'));
// The limiter runs (its cost is in the figure) but a load generator on one account never trips it.
const config = loadConfig({ RATE_LIMIT_PER_MINUTE: '1000000000', ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dir, DEMO: 'false' });
const { app } = await wirePrepared(config, { logger: false });
const password = 'bench-password-123';
await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'bench@example.test', password, displayName: 'Bench', home: { lat: 45.5, lon: -122.6 } } });
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`LISTENING ${new URL(address).port}`);
process.on('SIGTERM', () => void app.close().then(() => fs.rmSync(dir, { recursive: true, force: true })).finally(() => process.exit(0)));
