#!/usr/bin/env node
// Entry point of the relay-run bin: the compiled runtime when it is built and current, else the TypeScript sources through tsx.
import { importCli } from './entry.js';

const { main } = await importCli('runtime', ['runtime']);
process.exitCode = await main(process.argv.slice(2), process.env);
