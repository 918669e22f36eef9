/**
 * Swagger 2.0 -> OpenAPI 3.0 shape, for a dereferenced document.
 * Only what relay's model needs is carried over; schema objects are reused, not copied,
 * so that identity (named schemas, cycles) survives the upgrade.
 * @see https://spec.openapis.org/oas/v3.0.3#appendix-a-revision-history
 */
import type { OpenAPIV2, OpenAPIV3 } from 'openapi-types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** collectionFormat -> style and explode. `tsv` has no OpenAPI 3 style; relay names it `tabDelimited`. */
const COLLECTION_FORMATS: Record<string, { style: string; explode: boolean }> = {
  csv: { style: 'form', explode: false },
  ssv: { style: 'spaceDelimited', explode: false },
  tsv: { style: 'tabDelimited', explode: false },
  pipes: { style: 'pipeDelimited', explode: false },
  multi: { style: 'form', explode: true },
};

/** Upgrade a validated, dereferenced Swagger 2.0 document. */
export function upgradeSwagger2(doc: OpenAPIV2.Document): OpenAPIV3.Document {
  const paths: OpenAPIV3.PathsObject = {};
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!item) continue;
    const upgraded: OpenAPIV3.PathItemObject = {};
    for (const method of METHODS) {
      const op = item[method];
      if (op) upgraded[method] = upgradeOperation(doc, op, (item.parameters ?? []) as OpenAPIV2.Parameter[]);
    }
    paths[path] = upgraded;
  }
  const out: OpenAPIV3.Document = {
    openapi: '3.0.3',
    info: doc.info,
    servers: [{ url: serverUrl(doc) }],
    paths,
    components: {
      schemas: (doc.definitions ?? {}) as Record<string, OpenAPIV3.SchemaObject>,
      securitySchemes: upgradeSecurity(doc.securityDefinitions ?? {}),
    },
  };
  if (doc.security) out.security = doc.security;
  return out;
}

function serverUrl(doc: OpenAPIV2.Document): string {
  const basePath = doc.basePath ?? '';
  if (!doc.host) return basePath || '/';
  const schemes = doc.schemes ?? ['https'];
  const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https');
  return `${scheme}://${doc.host}${basePath === '/' ? '' : basePath}`;
}

function upgradeOperation(
  doc: OpenAPIV2.Document,
  op: OpenAPIV2.OperationObject,
  pathParams: OpenAPIV2.Parameter[],
): OpenAPIV3.OperationObject {
  // Operation parameters override path-level ones with the same name and location.
  const byKey = new Map<string, OpenAPIV2.Parameter>();
  for (const p of [...pathParams, ...((op.parameters ?? []) as OpenAPIV2.Parameter[])]) byKey.set(`${p.in}:${p.name}`, p);
  const all = [...byKey.values()];
  const consumes = op.consumes ?? doc.consumes ?? ['application/json'];
  const produces = op.produces ?? doc.produces ?? ['application/json'];

  const out: OpenAPIV3.OperationObject = {
    parameters: all.filter((p) => ['query', 'path', 'header'].includes(p.in)).map(upgradeParameter),
    responses: upgradeResponses(op.responses ?? {}, produces),
  };
  if (op.operationId) out.operationId = op.operationId;
  if (op.summary) out.summary = op.summary;
  if (op.description) out.description = op.description;
  if (op.deprecated) out.deprecated = true;
  if (op.security) out.security = op.security;
  if (op.tags) out.tags = op.tags;

  const body = all.find((p) => p.in === 'body') as OpenAPIV2.InBodyParameterObject | undefined;
  const form = all.filter((p) => p.in === 'formData') as OpenAPIV2.GeneralParameterObject[];
  if (body) {
    out.requestBody = {
      required: Boolean(body.required),
      content: Object.fromEntries(consumes.map((type) => [type, { schema: body.schema as OpenAPIV3.SchemaObject }])),
    };
  } else if (form.length > 0) {
    const multipart = form.some((p) => p.type === 'file') || consumes.includes('multipart/form-data');
    const schema: OpenAPIV3.SchemaObject = {
      type: 'object',
      properties: Object.fromEntries(form.map((p) => [p.name, itemSchema(p)])),
    };
    const required = form.filter((p) => p.required).map((p) => p.name);
    if (required.length) schema.required = required;
    const media: OpenAPIV3.MediaTypeObject = { schema };
    // An array field's collectionFormat becomes its encoding's style, as for query parameters.
    const encoding = Object.fromEntries(
      form.filter((p) => p.type === 'array').map((p) => {
        const format = COLLECTION_FORMATS[p.collectionFormat ?? 'csv'] ?? COLLECTION_FORMATS.csv!;
        return [p.name, { style: format.style, explode: format.explode } as OpenAPIV3.EncodingObject];
      }),
    );
    if (Object.keys(encoding).length > 0) media.encoding = encoding;
    out.requestBody = {
      required: required.length > 0,
      content: { [multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded']: media },
    };
  }
  return out;
}

function upgradeParameter(p: OpenAPIV2.Parameter): OpenAPIV3.ParameterObject {
  const param = p as OpenAPIV2.GeneralParameterObject;
  const out: OpenAPIV3.ParameterObject = {
    name: param.name,
    in: param.in,
    required: Boolean(param.required),
    schema: itemSchema(param),
  };
  if (param.description) out.description = param.description;
  if (param.type === 'array') {
    const format = COLLECTION_FORMATS[param.collectionFormat ?? 'csv'] ?? COLLECTION_FORMATS.csv!;
    out.style = (param.in === 'query' ? format.style : 'simple') as OpenAPIV3.ParameterObject['style'];
    out.explode = format.explode;
  }
  return out;
}

/** The JSON Schema subset that 2.0 spreads over a parameter or items object. */
function itemSchema(p: OpenAPIV2.GeneralParameterObject | OpenAPIV2.ItemsObject): OpenAPIV3.SchemaObject {
  const keys = [
    'type', 'format', 'default', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
    'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'multipleOf',
  ] as const;
  const schema: Record<string, unknown> = {};
  for (const key of keys) if (p[key] !== undefined) schema[key] = p[key];
  if (schema.type === 'file') {
    schema.type = 'string';
    schema.format = 'binary';
  }
  if (p.items) schema.items = itemSchema(p.items as OpenAPIV2.ItemsObject);
  return schema as OpenAPIV3.SchemaObject;
}

function upgradeResponses(responses: OpenAPIV2.ResponsesObject, produces: string[]): OpenAPIV3.ResponsesObject {
  const out: OpenAPIV3.ResponsesObject = {};
  for (const [code, value] of Object.entries(responses)) {
    const response = value as OpenAPIV2.ResponseObject | undefined;
    if (!response) continue;
    const upgraded: OpenAPIV3.ResponseObject = { description: response.description ?? '' };
    if (response.schema) {
      upgraded.content = Object.fromEntries(
        produces.map((type) => [type, { schema: response.schema as OpenAPIV3.SchemaObject }]),
      );
    }
    out[code] = upgraded;
  }
  return out;
}

function upgradeSecurity(
  defs: OpenAPIV2.SecurityDefinitionsObject,
): Record<string, OpenAPIV3.SecuritySchemeObject> {
  const out: Record<string, OpenAPIV3.SecuritySchemeObject> = {};
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === 'basic') out[name] = { type: 'http', scheme: 'basic' };
    else if (def.type === 'apiKey') out[name] = { type: 'apiKey', in: def.in, name: def.name };
    else if (def.type === 'oauth2') {
      const scopes = def.scopes ?? {};
      const tokenUrl = 'tokenUrl' in def ? def.tokenUrl : '';
      const authorizationUrl = 'authorizationUrl' in def ? def.authorizationUrl : '';
      // @see https://spec.openapis.org/oas/v2.0#security-scheme-object (flow) -> v3.0.3#oauth-flows-object
      const flows: OpenAPIV3.OAuth2SecurityScheme['flows'] =
        def.flow === 'application'
          ? { clientCredentials: { tokenUrl, scopes } }
          : def.flow === 'password'
            ? { password: { tokenUrl, scopes } }
            : def.flow === 'accessCode'
              ? { authorizationCode: { authorizationUrl, tokenUrl, scopes } }
              : { implicit: { authorizationUrl, scopes } };
      out[name] = { type: 'oauth2', flows };
    }
  }
  return out;
}
