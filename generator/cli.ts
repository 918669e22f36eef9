/**
 * relay-gen: the command line. The only generator file that reads argv or writes files.
 * Exit codes: 0 done, 1 a spec failed or (with --check) a module is stale, 2 bad usage.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './index.js';
import { isIdentifier } from './names.js';
import { version } from '../runtime/version.js';

const USAGE = `Usage: relay-gen <spec>... [--out DIR] [--name NAME] [--check] [--lenient]

Generate a relay request table (a TypeScript module) and its markdown catalog from each OpenAPI/Swagger spec.

  --out DIR    where to write <name>.ts and <name>.md (default: generated)
  --name NAME  API name, for a single spec (default: the spec's file name)
  --check      write nothing; exit 1 naming each module or catalog that is missing or stale
  --lenient    generate from a spec that fails validation when it can be dereferenced (warns)
  --help       show this help
  --version    show relay's version

Exit codes: 0 ok, 1 a spec is invalid or a module is stale, 2 bad usage.`;

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'generated' },
        name: { type: 'string' },
        check: { type: 'boolean', default: false },
        lenient: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    return usage(`relay-gen: ${(err as Error).message}`);
  }
  const { values, positionals: specs } = args;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (specs.length === 0) return usage('relay-gen: give at least one spec file, e.g. relay-gen specs/steam.yaml');
  if (values.name !== undefined && specs.length > 1) return usage('relay-gen: --name applies to a single spec; give one spec per run');
  if (values.name !== undefined && !isIdentifier(values.name)) {
    return usage(`relay-gen: --name must be an identifier (letters, digits, _ or $), got ${JSON.stringify(values.name)}`);
  }

  let failed = 0;
  for (const spec of specs) {
    try {
      const out = await generate(spec, { name: values.name, outDir: values.out, lenient: values.lenient });
      for (const warning of out.warnings) process.stderr.write(`relay-gen: warning: ${warning}\n`);
      // The module and its markdown catalog, checked and written together.
      for (const { file, text } of [{ file: out.file, text: out.text }, out.catalog]) {
        const shown = path.relative(process.cwd(), file) || file;
        if (values.check) {
          const current = await readFile(file, 'utf8').catch(() => null);
          if (current !== text) {
            failed++;
            process.stderr.write(`relay-gen: ${shown} is ${current === null ? 'missing' : 'stale'}; run: relay-gen ${spec}\n`);
          }
        } else {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(file, text);
          process.stderr.write(`relay-gen: wrote ${shown}${file === out.file ? ` (${out.operations} operations)` : ''}\n`);
        }
      }
    } catch (err) {
      failed++;
      process.stderr.write(`relay-gen: ${(err as Error).message}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  return 2;
}
