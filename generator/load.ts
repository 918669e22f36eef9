/**
 * Loading a spec: the one caller of swagger-parser. Reads YAML or JSON (with `$ref`s across
 * local files), validates (a one-file OpenAPI 3.0 spec first through check-openapi30.ts, which
 * spares validating each shared component once per reference), dereferences, and upgrades
 * Swagger 2.0 to the OpenAPI 3 shape, so that everything after this step sees one kind of document.
 */
import { createRequire } from 'node:module';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI, OpenAPIV2, OpenAPIV3 } from 'openapi-types';
import { checkOpenApi30 } from './check-openapi30.js';
import { upgradeSwagger2 } from './swagger2.js';

export type SpecVersion = '2.0' | '3.0' | '3.1';

/** A validated, dereferenced spec in OpenAPI 3 shape. */
export interface LoadedSpec {
  doc: OpenAPIV3.Document;
  version: SpecVersion;
  /** With `lenient`: why swagger-parser rejected the spec, when it did (it was dereferenced anyway). */
  invalid?: string;
}

export interface LoadOptions {
  /** Dereference and go on when validation fails, reporting the problem in `invalid` instead of throwing. */
  lenient?: boolean;
}

/**
 * Validate and dereference the spec at `file`.
 * Errors name the file and, for schema violations, the JSON pointer into it:
 * `specs/pets.yaml#/paths/~1pets/get/responses/200 must have required property 'description'`.
 */
export async function loadSpec(file: string, opts: LoadOptions = {}): Promise<LoadedSpec> {
  let api: OpenAPI.Document;
  let invalid: string | undefined;
  try {
    api = (await checkedQuickly(file)) ?? (await SwaggerParser.validate(file));
  } catch (err) {
    if (!opts.lenient) throw new Error(describeLoadError(file, err), { cause: err });
    invalid = describeLoadError(file, err);
    try {
      // Not validated: dereference only, so that specs with schema mistakes still generate.
      api = await SwaggerParser.dereference(file);
    } catch (deref) {
      throw new Error(`${invalid}\n(and it cannot be dereferenced: ${describeLoadError(file, deref)})`, { cause: deref });
    }
    if (!isSpec(api)) throw new Error(`${file}: not an OpenAPI 3 or Swagger 2.0 document (no openapi or swagger: "2.0" field)`);
  }
  const version = specVersion(api);
  const doc = version === '2.0' ? upgradeSwagger2(api as OpenAPIV2.Document) : (api as OpenAPIV3.Document);
  return invalid === undefined ? { doc, version } : { doc, version, invalid };
}

/** swagger-parser's own pieces that `validate()` is made of (it exports only the whole). */
interface ParserParts {
  Options: new () => object;
  validateSpec: (api: object) => void;
  dereference: (parser: SwaggerParser, options: object) => void;
}

let parts: ParserParts | undefined;
function parserParts(): ParserParts {
  if (parts !== undefined) return parts;
  const require = createRequire(createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'));
  return (parts = {
    Options: require('./options.js') as ParserParts['Options'],
    validateSpec: require('./validators/spec.js') as ParserParts['validateSpec'],
    dereference: (require('@apidevtools/json-schema-ref-parser') as { dereferenceInternal: ParserParts['dereference'] }).dereferenceInternal,
  });
}

/**
 * What `SwaggerParser.validate(file)` returns, for a one-file OpenAPI 3.0 spec that `checkOpenApi30` finds
 * valid as written: parsed once, validated with each shared component checked once, dereferenced
 * once. Undefined otherwise (an error, another version, several files, or a spec the
 * quick check cannot vouch for): then swagger-parser's `validate()` decides, and words the errors.
 */
async function checkedQuickly(file: string): Promise<OpenAPI.Document | undefined> {
  const { Options, validateSpec, dereference } = parserParts();
  const options = new Options();
  const parser = new SwaggerParser();
  try {
    // Parsed, not resolved: every `$ref` the check follows is within the file (`#/`), and one to another
    // file where anything goes (an example) makes the dereference below fail and swagger-parser decide.
    await parser.parse(file, options);
  } catch {
    return undefined;
  }
  const api = parser.api as unknown as Record<string, unknown>;
  // The schema swagger-parser would pick: Swagger 2.0's whenever `swagger` is set.
  if (api.swagger || typeof api.openapi !== 'string' || !api.openapi.startsWith('3.0')) return undefined;
  try {
    if (!checkOpenApi30(api, (ref) => parser.$refs.get(ref, options as never))) return undefined;
    dereference(parser, options);
    validateSpec(parser.api);
  } catch {
    return undefined;
  }
  return parser.api;
}

function isSpec(api: unknown): api is OpenAPI.Document {
  if (api === null || typeof api !== 'object') return false;
  const a = api as { openapi?: unknown; swagger?: unknown };
  return (typeof a.openapi === 'string' && a.openapi.startsWith('3.')) || a.swagger === '2.0';
}

function specVersion(api: OpenAPI.Document): SpecVersion {
  if ('swagger' in api && api.swagger === '2.0') return '2.0';
  const openapi = 'openapi' in api ? String(api.openapi) : '';
  return openapi.startsWith('3.1') ? '3.1' : '3.0';
}

function describeLoadError(file: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // swagger-parser reports schema violations as indented lines of `#/json/pointer message`.
  const located = message.replace(/^(\s*)#\//gm, `$1${file}#/`).trim();
  return located.includes(file) ? located : `${file}: ${located}`;
}
