// The real server as a child process: node_modules/.bin/node src/main.ts serve,
// spawned directly (no npm parent), so child.pid is the server's own PID and a
// kill reaches it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const NODE = path.join(ROOT, 'node_modules/.bin/node');

export interface Server {
  child: ChildProcess;
  base: string;
  stdout(): string;
  stderr(): string;
}

export function spawnPorchlight(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(NODE, ['src/main.ts', ...args], { cwd: ROOT, env: { ...process.env, PORT: '0', DEMO: 'false', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function startServer(env: Record<string, string>): Promise<Server> {
  // --init: the tests start servers on fresh directories (and restart them on the same).
  const child = spawnPorchlight(['serve', '--init'], env);
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
  return { child, base, stdout: () => out, stderr: () => err };
}

/** Runs a porchlight command to its end. */
export async function runPorchlight(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnPorchlight(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b) => (stdout += b));
  child.stderr!.on('data', (b) => (stderr += b));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** SIGKILLs the server process itself and checks that it is gone. */
export async function killServer(server: Server): Promise<void> {
  const pid = server.child.pid!;
  if (server.child.exitCode === null && server.child.signalCode === null) {
    const exited = once(server.child, 'exit');
    server.child.kill('SIGKILL');
    await exited;
  }
  let gone = false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    gone = (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  if (!gone) throw new Error(`server PID ${pid} is still alive after SIGKILL`);
}
