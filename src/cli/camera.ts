// `porchlight camera …`: the camera agent, run on the camera or a bridge. It talks
// to a server over HTTP and never wires an app.
import type { Command } from './command.ts';

export const cameraCommand: Command = {
  usage: 'porchlight camera <enroll|upload|watch|status|rotate-token> --help',
  run: async (argv) => (await import('../cameras/agent.ts')).runCameraCli(argv),
};
