/**
 * relay-gen: the command line. The only generator file that reads argv or writes files.
 * Exit codes: 0 done, 1 a spec failed or (with --check) a module is stale, 2 bad usage.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { generate } from './index.js';
import { isIdentifier } from './names.js';
import { version } from '../runtime/version.js';

const USAGE_LINE = 'Usage: relay-gen <spec...> [--out DIR] [--name NAME] [--check] [--lenient]';

const EPILOG = `
Exit codes: 0 ok; 1 a spec is invalid, or (--check) a module or catalog is missing or stale; 2 bad usage.

Examples:
  relay-gen specs/steam.yaml
  relay-gen --check specs/*.yaml
  relay-gen --name pets --out src/generated ./petstore.json`;

interface GenArgs {
  specs: string[];
  out: string;
  name: string | undefined;
  check: boolean;
  lenient: boolean;
}

/** Parse argv: the options, or the exit code when relay-gen should stop here (0 help/version, 2 bad usage). */
function parseGenArgs(argv: string[]): GenArgs | number {
  const program = new Command('relay-gen')
    .description('Generate a relay request table (a TypeScript module) and its markdown catalog from each OpenAPI/Swagger spec.')
    .usage('<spec...> [--out DIR] [--name NAME] [--check] [--lenient]')
    // Optional here so that a missing spec gets our message, with an example.
    .argument('[spec...]', 'OpenAPI 3.x or Swagger 2.0 files (YAML or JSON)')
    .option('--out <DIR>', 'where to write <name>.ts and <name>.md', 'generated')
    .option('--name <NAME>', "API name, for a single spec (default: the spec's file name)")
    .option('--check', 'write nothing; exit 1 naming each module or catalog that is missing or stale')
    .option('--lenient', 'generate from a spec that fails validation when it can be dereferenced (warns)')
    .helpOption('-h, --help', 'show this help')
    .version(version, '--version', "show relay's version")
    .addHelpText('after', EPILOG)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void process.stdout.write(text),
      writeErr: (text) => void process.stderr.write(text),
      outputError: (text, write) => write(usageError(text.replace(/^error: /, '').trimEnd())),
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  const o = program.opts<{ out: string; name?: string; check?: boolean; lenient?: boolean }>();
  return { specs: program.args, out: o.out, name: o.name, check: o.check === true, lenient: o.lenient === true };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseGenArgs(argv);
  if (typeof args === 'number') return args;
  const { specs } = args;
  const values = args;
  if (specs.length === 0) return usage('give at least one spec file, e.g. relay-gen specs/steam.yaml');
  if (values.name !== undefined && specs.length > 1) return usage('--name applies to a single spec; give one spec per run');
  if (values.name !== undefined && !isIdentifier(values.name)) {
    return usage(`--name must be an identifier (letters, digits, _ or $), got ${JSON.stringify(values.name)}`);
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

function usageError(message: string): string {
  return `relay-gen: ${message}\n${USAGE_LINE}\nRun relay-gen --help for every option.\n`;
}

function usage(message: string): number {
  process.stderr.write(usageError(message));
  return 2;
}
