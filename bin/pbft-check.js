#!/usr/bin/env node
// Entry point of `npx pbft-check`: runs the TypeScript sources through tsx (a dependency).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(
  process.argv.slice(2),
  (s) => process.stdout.write(s),
  (s) => process.stderr.write(s),
  { tty: process.stderr.isTTY === true },
);
