#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so a clone needs `npm ci` and no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
// No process.exit(): it would drop whatever stdout has not yet written to a pipe (a slow
// `| gzip` reader got only the first 64 KB of an export). The exit code is set by main, and
// the process ends when the event loop drains; timers that must not hold it are unref()'d.
