#!/usr/bin/env node
// Entry point of the relay-run bin: runs the TypeScript sources (and generated modules) through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
