// CLI commands contributed by capabilities (the log verifier, the camera agent).
// Each is imported lazily so `porchlight serve` loads none of them.
type Add = (name: string, command: { summary: string; usage: string; run(argv: string[]): Promise<number> }) => void;

export function registerExtraCommands(add: Add): void {
  add('log', {
    summary: 'disclosure log verifier: log verify --url URL --key VKEY [--state FILE] | log verify-receipt FILE --key VKEY | log verify-evidence ZIP --key VKEY',
    usage: 'porchlight log <verify|verify-receipt|verify-evidence> --help',
    // verify-evidence reads an agency's evidence ZIP; the ledger knows nothing of requests, so it is routed here.
    run: async (argv) => (argv[0] === 'verify-evidence'
      ? (await import('./requests/evidence-cli.ts')).runEvidenceCli(argv.slice(1))
      : (await import('./ledger/cli.ts')).runLogCli(argv)),
  });
  add('camera', {
    summary: 'camera agent: camera enroll | upload | watch | status | rotate-token (runs on the camera or a bridge)',
    usage: 'porchlight camera <enroll|upload|watch|status|rotate-token> --help',
    run: async (argv) => (await import('./cameras/agent.ts')).runCameraCli(argv),
  });
}
