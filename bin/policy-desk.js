#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone needs `npm ci` and no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv);
// A model client's retry timer must not keep a finished command alive.
process.exit(process.exitCode ?? 0);
