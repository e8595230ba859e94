// Progress bars for long CLI work (demo seeding, `log verify`, camera watch
// uploads), drawn with cli-progress on stderr, so stdout stays the command's
// answer. Where stderr is not a terminal (a pipe, a log file, a test) a bar
// draws nothing at all: redraws would only be noise there (issue 19).
import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` of `total`; the bar starts on the first call and finishes when done reaches total. */
  update(done: number, total: number): void;
  /** Finishes the bar (a no-op once finished); call it when the work ends early. */
  done(): void;
}

const NONE: Progress = { update: () => {}, done: () => {} };

const mib = (n: number) => (n / 1_048_576).toFixed(1);

/**
 * A bar labelled `label`, counting items or bytes. `stream` is for tests; it
 * defaults to stderr, and anything that is not a TTY gets no bar.
 */
export function progressBar(label: string, opts: { unit?: 'items' | 'bytes'; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (!stream.isTTY) return NONE;
  const counts = opts.unit === 'bytes' ? '{sentMiB}/{totalMiB} MB' : '{value}/{total}';
  let bar: cliProgress.SingleBar | null = null;
  let finished = false;
  const finish = () => {
    if (bar && !finished) bar.stop();
    finished = true;
  };
  return {
    update(done, total) {
      if (finished) return;
      const payload = { label: label.padEnd(28), sentMiB: mib(done), totalMiB: mib(total) };
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream, format: `  {label} [{bar}] {percentage}%  ${counts}`, barsize: 24, hideCursor: false, fps: 10 }, cliProgress.Presets.legacy);
        bar.start(total, done, payload);
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
      if (done >= total) finish();
    },
    done: finish,
  };
}
