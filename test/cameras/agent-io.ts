// Captures what the camera agent prints, for tests that run it in-process.
import type { AgentIo } from '../../src/cameras/agent.ts';

export function captureIo(signal?: AbortSignal): AgentIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), tty: null, signal };
}
