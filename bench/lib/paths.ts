/** Where things are: the project root and the bench's own folders. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BENCH = path.join(ROOT, 'bench');
export const RELAY_RUN = path.join(ROOT, 'runtime', 'relay-run.js');
export const RELAY_GEN = path.join(ROOT, 'generator', 'relay-gen.js');
