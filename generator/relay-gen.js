#!/usr/bin/env node
// Entry point of the relay-gen bin: the compiled generator when it is built and current, else the TypeScript sources through tsx.
import { importCli } from '../runtime/entry.js';

const { main } = await importCli('generator', ['generator', 'runtime']);
process.exitCode = await main(process.argv.slice(2));
