// CLI commands contributed by capabilities (the log verifier, the camera agent).
// Each is imported lazily so `porchlight serve` loads none of them.
type Add = (name: string, command: { summary: string; usage: string; run(argv: string[]): Promise<number> }) => void;

export function registerExtraCommands(_add: Add): void {
  // Capabilities add their commands here, e.g.
  // add('log', { summary, usage, run: async (argv) => (await import('./ledger/cli.ts')).runLogCli(argv) });
}
