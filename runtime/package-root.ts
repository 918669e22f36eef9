/**
 * The relay package's root folder (package.json, templates/, generated/), found from the running file
 * whether it runs from the sources (`runtime/`) or compiled (`dist/runtime/`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(from);
  }
}

/** Absolute path of the package root, without a trailing separator. */
export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
