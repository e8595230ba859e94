// The log page's display of a checkpoint's witness cosignatures: names and
// stated times from real cosignature lines, the log's own line and other
// signature lines left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { cosignatureLine, cosignerFromSeed, withCosignatures } from '../../src/ledger/cosignature.ts';
import { EMPTY_ROOT } from '../../src/ledger/merkle.ts';
import { signNote, signerFromSeed } from '../../src/ledger/note.ts';
import { statedCosignatures } from '../../web/src/surfaces/public/checkpointText.ts';

test('statedCosignatures lists each witness line with its time, not the log\'s own signature', () => {
  const log = signerFromSeed('log.test/log', new Uint8Array(32).fill(1));
  const note = signCheckpoint({ origin: log.name, size: 0, root: EMPTY_ROOT, extensions: [] }, log);
  const text = note.slice(0, note.indexOf('\n\n') + 1);
  const w1 = cosignerFromSeed('witness.test/one', new Uint8Array(32).fill(2));
  const w2 = cosignerFromSeed('witness.test/two', new Uint8Array(32).fill(3));
  // A second ordinary signature (64-byte blob) is not a cosignature.
  const other = signNote(text, signerFromSeed('someone.test/else', new Uint8Array(32).fill(4))).slice(text.length + 1);
  const full = withCosignatures(note, [cosignatureLine(text, w1, 1_700_000_000), other, cosignatureLine(text, w2, 1_700_000_060)]);
  assert.deepEqual(statedCosignatures(full, log.name), [
    { name: 'witness.test/one', time: new Date(1_700_000_000_000) },
    { name: 'witness.test/two', time: new Date(1_700_000_060_000) },
  ]);
  assert.deepEqual(statedCosignatures(note, log.name), []);
});
