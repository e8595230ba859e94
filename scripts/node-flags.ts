// The V8 flags the package bin runs the CLI with (its shebang line, see
// bin/porchlight.js), so scripts and benches start servers as they are deployed.
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');

export const SERVER_NODE_FLAGS = fs.readFileSync(path.join(repoRoot, 'bin/porchlight.js'), 'utf8').split('\n')[0]!.split(' ').filter((a) => a.startsWith('--'));
