// The web build swaps src/ledger/primitives.ts for web/src/ledger/primitives.ts
// so the log verifier runs in the browser. The two must agree exactly: same
// exports, same bytes out, same verdicts, or the page would verify differently
// from the CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as node from '../../src/ledger/primitives.ts';
import * as web from '../../web/src/ledger/primitives.ts';

test('the browser primitives export what the Node primitives export', () => {
  assert.deepEqual(Object.keys(web).sort(), Object.keys(node).sort());
});

test('the browser primitives give the same bytes and verdicts', () => {
  const parts = [node.utf8.encode('porchlight'), new Uint8Array([0, 1, 2, 255])];
  assert.deepEqual(web.sha256(...parts), node.sha256(...parts));
  assert.deepEqual(web.sha256(new Uint8Array(0)), node.sha256(new Uint8Array(0)));
  const seed = node.randomBytes(32);
  const msg = node.utf8.encode('checkpoint\n1\nroot\n');
  assert.deepEqual(web.ed25519PublicKey(seed), node.ed25519PublicKey(seed));
  const sig = node.ed25519Sign(seed, msg);
  assert.deepEqual(web.ed25519Sign(seed, msg), sig);
  const pub = node.ed25519PublicKey(seed);
  assert.equal(web.ed25519Verify(pub, msg, sig), true);
  const bad = sig.slice();
  bad[0] ^= 1;
  assert.equal(web.ed25519Verify(pub, msg, bad), node.ed25519Verify(pub, msg, bad));
  assert.equal(web.ed25519Verify(pub.slice(1), msg, sig), false);
  for (const text of ['', 'AA==', 'AAE=', 'AAEC', 'AB==', 'A', 'AA=', ' AA==', 'AA==\n', '////']) {
    assert.deepEqual(web.fromBase64(text), node.fromBase64(text), `fromBase64(${JSON.stringify(text)})`);
  }
  assert.equal(web.toBase64(parts[1]), node.toBase64(parts[1]));
  assert.equal(web.toHex(parts[1]), node.toHex(parts[1]));
  for (const text of ['', '00ff', '00FF', 'abc', 'zz']) assert.deepEqual(web.fromHex(text), node.fromHex(text), `fromHex(${text})`);
  assert.equal(web.utf8.decode(new Uint8Array([0xff])), null);
});
