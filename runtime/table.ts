/**
 * The request table: the one seam between relay-gen and relay-run.
 * relay-gen writes an `ApiTable` as plain data into `generated/<api>.ts`; relay-run reads it back.
 * Nothing here imports generator code, and the generator imports only these types.
 */

/** Bumped whenever the table's shape changes incompatibly; the loader refuses other formats. */
export const TABLE_FORMAT = 1;

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

/**
 * @see https://spec.openapis.org/oas/v3.1.0#style-values
 * `tabDelimited` is relay's name for Swagger 2.0's `collectionFormat: tsv`, which OpenAPI 3 lacks.
 */
export type ParamStyle =
  | 'simple'
  | 'label'
  | 'matrix'
  | 'form'
  | 'spaceDelimited'
  | 'pipeDelimited'
  | 'tabDelimited'
  | 'deepObject';

/** A JSON Schema as found in the spec, dereferenced and reduced to plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** One parameter of an operation, with the serialisation defaults of the spec already applied. */
export interface ParamSpec {
  name: string;
  /**
   * The key clients use in `params` when it differs from `name`: `in.name` (e.g. `header.version`)
   * for a name the operation uses in two locations.
   */
  key?: string;
  in: ParamLocation;
  required: boolean;
  style: ParamStyle;
  explode: boolean;
  allowReserved: boolean;
  schema: JsonSchema;
  /**
   * For a parameter described by `content` instead of `schema`: its media type. A JSON type means the
   * value is sent as JSON text (then percent-encoded for its location), whatever its shape.
   */
  contentType?: string;
}

/** @see https://spec.openapis.org/oas/v3.1.0#server-object */
export interface ServerSpec {
  url: string;
  variables: Record<string, { default: string; enum?: string[] }>;
}

/**
 * How one property of a form or multipart body is encoded.
 * @see https://spec.openapis.org/oas/v3.1.0#encoding-object
 */
export interface EncodingSpec {
  contentType?: string;
  style?: ParamStyle;
  explode?: boolean;
  allowReserved?: boolean;
}

/** One media type of a request body: its schema (for validation) and per-property encodings. */
export interface MediaSpec {
  schema: JsonSchema;
  encoding?: Record<string, EncodingSpec>;
}

export interface BodySpec {
  required: boolean;
  /** Media types the operation accepts, JSON types first. */
  contentTypes: string[];
  /**
   * By media type (absent in tables generated before relay-gen kept body schemas: then the body is
   * not validated and form/multipart properties take the default encoding).
   */
  media?: Record<string, MediaSpec>;
}

/** @see https://spec.openapis.org/oas/v3.1.0#security-scheme-object */
export type SecurityScheme =
  | { type: 'apiKey'; in: 'query' | 'header' | 'cookie'; name: string }
  | { type: 'http'; scheme: string }
  | { type: 'oauth2'; tokenUrl: string | null }
  | { type: 'openIdConnect'; url: string }
  | { type: 'mutualTLS' };

/** One alternative of a security requirement: every scheme named in it must be satisfied. */
export type SecurityRequirement = Record<string, string[]>;

export interface OperationSpec {
  /** The name clients use: a valid identifier, unique within the API. */
  name: string;
  /** The spec's own operationId, when it has one (also accepted for lookup). */
  operationId: string | null;
  summary: string | null;
  method: HttpMethod;
  /** Path template relative to the server URL, e.g. `/pets/{petId}`. */
  path: string;
  /** Path- or operation-level servers; null means the API's servers. */
  servers: ServerSpec[] | null;
  params: ParamSpec[];
  body: BodySpec | null;
  /**
   * Status codes documented as success: exact codes (`"200"`) and ranges (`"2XX"`).
   * Empty when the spec documents no 2xx status: then any 2xx counts as success.
   */
  success: string[];
  /** Media types of the success responses, for the Accept header. */
  produces: string[];
  /** Response headers the spec documents for the success responses, lower case (for `"headers": true`). */
  responseHeaders?: string[];
  /** Alternatives, any one of which suffices; `[]` or an empty alternative means none needed. */
  security: SecurityRequirement[];
  deprecated: boolean;
}

export interface ApiTable {
  format: typeof TABLE_FORMAT;
  /** The API's name in request lines (`steam` in `steam.getNewsForApp`). */
  name: string;
  title: string;
  version: string;
  /** The spec this table was generated from, relative to the project. */
  source: string;
  servers: ServerSpec[];
  securitySchemes: Record<string, SecurityScheme>;
  operations: Record<string, OperationSpec>;
}
