/**
 * Loading a spec: the one caller of swagger-parser. Reads YAML or JSON (with `$ref`s across
 * local files), validates, dereferences, and upgrades Swagger 2.0 to the OpenAPI 3 shape,
 * so that everything after this step sees one kind of document.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPI, OpenAPIV2, OpenAPIV3 } from 'openapi-types';
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
    api = await SwaggerParser.validate(file);
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
