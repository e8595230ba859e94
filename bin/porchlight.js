#!/usr/bin/env node
// The package bin: runs the TypeScript CLI directly (Node >= 22.12 strips types).
import '../src/main.ts';
