/** relay's version, read from package.json once. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version in package.json. */
export const version: string = (require('../package.json') as { version: string }).version;
