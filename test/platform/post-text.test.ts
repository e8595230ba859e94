// postText: the outbound client for text protocols reads an answer only up to its limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postText } from '../../src/platform/http/post-text.ts';

let server: http.Server;
let url: string;
before(async () => {
  server = http.createServer((req, res) => {
    let got = '';
    req.on('data', (c: Buffer) => (got += c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(req.url === '/big' ? 'x'.repeat(200 * 1024) : `you sent ${got.length} bytes\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('a small answer is read whole, with its status and type', async () => {
  assert.deepEqual(await postText(`${url}/small`, 'hello', AbortSignal.timeout(5000), 1024), { status: 200, contentType: 'text/plain', body: 'you sent 5 bytes\n' });
});

test('an answer over the limit is refused, not held in memory', async () => {
  await assert.rejects(postText(`${url}/big`, 'hello', AbortSignal.timeout(5000), 64 * 1024), /over 65536 bytes/);
});
