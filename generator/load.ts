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
}

/**
 * Validate and dereference the spec at `file`.
 * Errors name the file and, for schema violations, the JSON pointer into it:
 * `specs/pets.yaml#/paths/~1pets/get/responses/200 must have required property 'description'`.
 */
export async function loadSpec(file: string): Promise<LoadedSpec> {
  let api: OpenAPI.Document;
  try {
    api = await SwaggerParser.validate(file);
  } catch (err) {
    throw new Error(describeLoadError(file, err), { cause: err });
  }
  const version = specVersion(api);
  if (version === '2.0') return { doc: upgradeSwagger2(api as OpenAPIV2.Document), version };
  return { doc: api as OpenAPIV3.Document, version };
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
