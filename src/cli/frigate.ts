// `porchlight frigate …`: the bridge from a Frigate NVR, run beside Frigate. Like
// the camera agent, it talks to a server over HTTP and never wires an app.
import type { Command } from './command.ts';

export const frigateCommand: Command = {
  usage: 'porchlight frigate <run|check|status> --config FILE --help',
  run: async (argv) => (await import('../cameras/frigate.ts')).runFrigateCli(argv),
};
