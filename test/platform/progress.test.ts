// The progress bars: drawn with cli-progress on a terminal, silent elsewhere.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressBar } from '../../src/platform/progress.ts';

/** A stream that says it is (or is not) a terminal, and keeps what is written. */
function stream(tty: boolean): { s: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  s.on('data', (b: Buffer) => (text += b.toString()));
  Object.assign(s, { isTTY: tty, columns: 120 });
  return { s, text: () => text };
}

const plain = (t: string) => t.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, ''); // eslint-disable-line no-control-regex

test('not a terminal: nothing is written, whatever is reported', () => {
  const out = stream(false);
  const bar = progressBar('homes', { stream: out.s });
  for (let i = 0; i <= 10; i++) bar.update(i, 10);
  bar.done();
  assert.equal(out.text(), '');
});

test('a terminal: the bar shows the label and the count, and ends at 100% with a newline', async () => {
  const out = stream(true);
  const bar = progressBar('320 homes', { stream: out.s });
  bar.update(0, 320);
  bar.update(320, 320);
  bar.done(); // already finished: a no-op
  bar.update(5, 320); // after the end: ignored
  await new Promise((r) => setImmediate(r));
  const text = plain(out.text());
  assert.match(text, /320 homes\s+\[=+\] 100% {2}320\/320/);
  assert.ok(text.endsWith('\n'), JSON.stringify(text));
  assert.equal(text.includes('5/320'), false);
});

test('bytes: sent and total in MB', async () => {
  const out = stream(true);
  const bar = progressBar('clip.mp4', { unit: 'bytes', stream: out.s });
  bar.update(1_048_576, 2_097_152);
  bar.done();
  await new Promise((r) => setImmediate(r));
  assert.match(plain(out.text()), /clip\.mp4\s+\[.*\] 50% {2}1\.0\/2\.0 MB/);
});
