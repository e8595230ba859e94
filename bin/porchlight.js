#!/usr/bin/env -S node --max-semi-space-size=16
// The package bin: runs the TypeScript CLI directly (Node >= 24 strips types).
// --max-semi-space-size=16 caps V8's young generation at 32 MiB. On a machine
// with plenty of RAM, V8 lets it grow to 128 MiB under a streaming load (an
// export, a large upload), which alone took the server past its 300 MB budget
// (issue 14 §1); the cap costs no measurable throughput (`npm run bench export`).
// `npm start` passes the same flag.
import '../src/main.ts';
