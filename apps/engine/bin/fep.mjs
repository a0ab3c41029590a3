#!/usr/bin/env node
// `fep` command: runs the TypeScript sources directly through tsx's ESM loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
