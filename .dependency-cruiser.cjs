// The layering rules of ENGINEERING.md ("Imports run one way only"), checked by
// test/architecture.test.ts in `npm test`. Each rule names what it forbids;
// test/fixtures/layering holds a tree that breaks each one on purpose.
//
//   main → cli → app → request-handling capabilities → disclosure
//        → clips, ledger, cameras, accounts → platform
//   witness/ (a separate program) → the ledger's pure modules and platform/dir-lock only
const REQUEST_HANDLING = '(agencies|requests|legal|emergency|review|feed|transparency|control)';
const GROUND = '(accounts|cameras|clips|e2ee|ledger)';
const CAPABILITY = `(${REQUEST_HANDLING.slice(1, -1)}|disclosure|${GROUND.slice(1, -1)})`;
// `root` is the source tree under check: src/ for the project, a fixture tree in the test.
const root = process.env.LAYERING_ROOT ?? 'src';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Imports form no cycle.', from: { path: `^${root}/` }, to: { circular: true } },
    {
      name: 'no-other-capability-routes', severity: 'error',
      comment: "A capability never imports another capability's routes; shared schemas live in schemas.ts.",
      from: { path: `^${root}/([^/]+)/`, pathNot: `^${root}/app/` }, to: { path: `^${root}/([^/]+)/routes\\.ts$`, pathNot: `^${root}/$1/` },
    },
    {
      name: 'platform-imports-no-capability', severity: 'error',
      comment: 'platform/ is shared machinery: it knows nothing of the capabilities above it.',
      from: { path: `^${root}/platform/` }, to: { path: `^${root}/`, pathNot: [`^${root}/platform/`, `^${root}/config\\.ts$`] },
    },
    {
      name: 'ground-floor-stays-down', severity: 'error',
      comment: 'accounts, cameras, clips, e2ee and ledger import only each other and platform.',
      from: { path: `^${root}/${GROUND}/` }, to: { path: `^${root}/`, pathNot: [`^${root}/${GROUND}/`, `^${root}/platform/`, `^${root}/config\\.ts$`] },
    },
    {
      name: 'disclosure-below-requests', severity: 'error',
      comment: 'disclosure/ depends on the ground floor, never on the capabilities that use it.',
      from: { path: `^${root}/disclosure/` }, to: { path: `^${root}/((${REQUEST_HANDLING.slice(1, -1)}|demo|app|cli)/|main\\.ts$)` },
    },
    {
      name: 'only-disclosure-opens-clip-bytes', severity: 'error',
      comment: "Clip bytes reach anyone but their owner only through disclosure/ (clips/internal.ts).",
      from: { path: `^${root}/`, pathNot: [`^${root}/(clips|disclosure)/`, `^${root}/app/wire\\.ts$`] }, to: { path: `^${root}/clips/internal\\.ts$` },
    },
    {
      name: 'requests-use-disclosure-not-clips', severity: 'error',
      comment: "Request-handling capabilities read clips only through disclosure/ (clips' pure policy and types excepted).",
      from: { path: `^${root}/${REQUEST_HANDLING}/` }, to: { path: `^${root}/clips/`, pathNot: `^${root}/clips/policy\\.ts$`, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'capabilities-not-up', severity: 'error',
      comment: 'No capability imports app/, cli/, demo/ or main.ts: wiring and seeding sit above them.',
      from: { path: `^${root}/${CAPABILITY}/` }, to: { path: `^${root}/(app/|cli/|demo/|main\\.ts$)` },
    },
    {
      name: 'nothing-imports-demo', severity: 'error',
      comment: 'demo/ seeds through the capabilities; only the CLI runs it.',
      from: { path: `^${root}/`, pathNot: [`^${root}/demo/`, `^${root}/cli/`] }, to: { path: `^${root}/demo/` },
    },
    {
      name: 'app-below-cli', severity: 'error',
      comment: 'Only the CLI (and app itself) builds or starts the app.',
      from: { path: `^${root}/`, pathNot: [`^${root}/(app|cli|demo)/`] }, to: { path: `^${root}/app/` },
    },
    {
      name: 'cli-below-main', severity: 'error',
      comment: 'Only main.ts dispatches to the CLI.',
      from: { path: `^${root}/`, pathNot: [`^${root}/cli/`, `^${root}/main\\.ts$`] }, to: { path: `^${root}/cli/` },
    },
    {
      name: 'witness-stands-alone', severity: 'error',
      comment: "The witness is a separate program: it imports only the ledger's pure note, checkpoint, cosignature, Merkle and protocol modules, and the directory lock.",
      from: { path: `^${root}/witness/` },
      to: { path: `^${root}/`, pathNot: [`^${root}/witness/`, `^${root}/ledger/(bytes|checkpoint|cosignature|merkle|note|primitives|witness-protocol)\\.ts$`, `^${root}/platform/dir-lock\\.ts$`] },
    },
    {
      name: 'migrations-not-migrator', severity: 'error',
      comment: 'Migrations import their kit, never the migrator that imports them.',
      from: { path: `^${root}/platform/db/migrations/` }, to: { path: `^${root}/platform/db/migrate\\.ts$` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
