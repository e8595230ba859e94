// Running the operating system's ffmpeg/ffprobe (ENGINEERING.md: patched decoders
// for untrusted video). Without ffmpeg the server still runs; features that need
// it (thumbnails, redacted copies) report FfmpegMissingError instead.
import { spawn } from 'node:child_process';
import path from 'node:path';

export class FfmpegMissingError extends Error {
  constructor(bin: string) {
    super(`ffmpeg is not installed or not runnable (${bin}); thumbnails and redacted copies are off — install ffmpeg or set FFMPEG_PATH`);
  }
}

export class FfmpegFailedError extends Error {}

/** ffprobe lives beside ffmpeg: "ffmpeg" -> "ffprobe", "/opt/x/ffmpeg" -> "/opt/x/ffprobe". */
export function ffprobePath(ffmpegPath: string): string {
  const dir = path.dirname(ffmpegPath);
  const base = path.basename(ffmpegPath).replace(/ffmpeg/, 'ffprobe');
  return dir === '.' && !ffmpegPath.startsWith('.') ? base : path.join(dir, base);
}

/** Runs a binary to completion; stdout is returned (bounded), stderr's tail goes into errors. */
export function run(bin: string, args: string[], opts: { timeoutMs?: number; maxStdout?: number } = {}): Promise<Buffer> {
  const maxStdout = opts.maxStdout ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10 * 60_000);
    child.stdout.on('data', (b: Buffer) => {
      outLen += b.length;
      if (outLen <= maxStdout) out.push(b);
      else child.kill('SIGKILL');
    });
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-4000);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' || e.code === 'EACCES' ? new FfmpegMissingError(bin) : e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new FfmpegFailedError(`${path.basename(bin)} failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const availability = new Map<string, Promise<boolean>>();

/** Whether ffmpeg and ffprobe both run (checked once per path). */
export function ffmpegAvailable(ffmpegPath: string): Promise<boolean> {
  let p = availability.get(ffmpegPath);
  if (!p) {
    p = Promise.all([run(ffmpegPath, ['-version'], { timeoutMs: 10_000 }), run(ffprobePath(ffmpegPath), ['-version'], { timeoutMs: 10_000 })]).then(
      () => true,
      () => false,
    );
    availability.set(ffmpegPath, p);
  }
  return p;
}

/** Displayed size of the first video stream (coded size, swapped when the stream is rotated by ±90°). */
export async function videoSize(ffmpegPath: string, file: string): Promise<{ width: number; height: number }> {
  const out = await run(ffprobePath(ffmpegPath), ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:stream_side_data=rotation', '-of', 'json', file], { timeoutMs: 60_000 });
  const info = JSON.parse(out.toString('utf8')) as { streams?: { width?: number; height?: number; side_data_list?: { rotation?: number }[] }[] };
  const s = info.streams?.[0];
  if (!s?.width || !s.height) throw new FfmpegFailedError('ffprobe found no video stream');
  const rotation = Math.abs(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0) % 180;
  return rotation === 90 ? { width: s.height, height: s.width } : { width: s.width, height: s.height };
}

/** A JPEG of the clip's first frame, at most 320 pixels wide. */
export async function makeThumbnail(ffmpegPath: string, input: string): Promise<Buffer> {
  const jpeg = await run(ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-frames:v', '1', '-vf', "scale='min(320,iw)':-2", '-q:v', '5', '-f', 'mjpeg', 'pipe:1'], {
    timeoutMs: 60_000,
    maxStdout: 4 * 1024 * 1024,
  });
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new FfmpegFailedError('ffmpeg produced no JPEG');
  return jpeg;
}
