/**
 * relay-gen as a library: spec file -> generated module text (load -> transform -> emit).
 */
import path from 'node:path';
import { loadSpec } from './load.js';
import { transform } from './transform.js';
import { emitModule } from './emit.js';
import { catalogView } from './catalog.js';
import { emitCatalog } from './emit-catalog.js';
import { toIdentifier } from './names.js';

export { loadSpec } from './load.js';
export { transform } from './transform.js';
export { emitModule } from './emit.js';
export { catalogView } from './catalog.js';
export { emitCatalog } from './emit-catalog.js';

export interface GenerateOptions {
  /** API name; defaults to the spec's file name without extension. */
  name?: string;
  /** Directory the module is meant for; the header names the spec relative to its parent. */
  outDir: string;
  /** Generate from specs that fail validation when they can be dereferenced (see `Generated.warnings`). */
  lenient?: boolean;
}

export interface Generated {
  name: string;
  file: string;
  text: string;
  operations: number;
  /** The markdown catalog of the API's operations (`<outDir>/<name>.md`). */
  catalog: { file: string; text: string };
  /** With `lenient`: why the spec is invalid, when it is. */
  warnings: string[];
}

/** The default API name for a spec file: `specs/steam.yaml` -> `steam`. */
export function defaultName(specFile: string): string {
  const base = path.basename(specFile).replace(/\.(ya?ml|json)$/i, '');
  return toIdentifier(base);
}

/** Generate the module for one spec. Throws an Error naming the spec file on failure. */
export async function generate(specFile: string, opts: GenerateOptions): Promise<Generated> {
  const name = opts.name ?? defaultName(specFile);
  const outDir = path.resolve(opts.outDir);
  const source = path.relative(path.dirname(outDir), path.resolve(specFile)).split(path.sep).join('/');
  const { doc, invalid } = await loadSpec(specFile, { lenient: opts.lenient });
  const skipped: string[] = [];
  const model = transform(doc, opts.lenient ? { name, source, warn: (w) => skipped.push(w) } : { name, source });
  return {
    name,
    file: path.join(outDir, `${name}.ts`),
    text: emitModule(model),
    operations: Object.keys(model.table.operations).length,
    catalog: { file: path.join(outDir, `${name}.md`), text: emitCatalog(catalogView(doc, model)) },
    warnings: [...(invalid === undefined ? [] : [`spec is invalid, generated anyway (--lenient): ${invalid}`]), ...skipped.map((w) => `${specFile}${w}`)],
  };
}
