import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Middleware } from '@parley/client';

/** The parts of an OpenAPI 3.1 document these checks read. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  webhooks?: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, unknown>;
    requestBodies?: Record<string, { content: Record<string, { schema: unknown }> }>;
    headers?: Record<string, { required?: boolean }>;
  };
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{
    name: string;
    in: string;
    required?: boolean;
    example?: unknown;
    schema?: { example?: unknown } & Record<string, unknown>;
  }>;
  requestBody?: { $ref?: string; content?: Record<string, { schema?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { $ref: string }> }
  >;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** `GET /v1/conversations/{id}` for each operation of the document, sorted. */
export function documentedOperations(document: OpenApiDocument): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, item]) =>
      HTTP_METHODS.filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

export async function fetchDocument(gatewayUrl: string): Promise<OpenApiDocument> {
  const res = await fetch(`${gatewayUrl}/docs/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /docs/openapi.json answered ${res.status}`);
  return (await res.json()) as OpenApiDocument;
}

type PropertySchema = {
  $ref?: string;
  example?: unknown;
  items?: PropertySchema;
  properties?: Record<string, PropertySchema>;
  allOf?: PropertySchema[];
};

/** A property that only points at another schema is documented there, example included. */
function onlyRefers(schema: PropertySchema): boolean {
  if (schema.$ref) return true;
  if (schema.items && onlyRefers(schema.items)) return true;
  return !!schema.allOf?.length && schema.allOf.every(onlyRefers);
}

/**
 * Every property of every component schema and named request body, inline object properties
 * included, as `Schema.property` with its schema, except those that only refer to another component
 * schema.
 */
export function schemaProperties(document: OpenApiDocument): Array<[string, PropertySchema]> {
  const found: Array<[string, PropertySchema]> = [];
  const visit = (path: string, schema: PropertySchema) => {
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (onlyRefers(property)) continue;
      found.push([`${path}.${name}`, property]);
      visit(`${path}.${name}`, property);
      if (property.items) visit(`${path}.${name}[]`, property.items);
    }
  };
  for (const [name, schema] of Object.entries(document.components.schemas))
    visit(name, schema as PropertySchema);
  for (const [name, body] of Object.entries(document.components.requestBodies ?? {}))
    for (const media of Object.values(body.content)) visit(name, media.schema as PropertySchema);
  return found;
}

/**
 * What is wrong with the examples of the component schemas: a property without one, or an example
 * its own property schema refuses (type, enum, format, nullable, bounds).
 */
export function exampleProblems(document: OpenApiDocument): string[] {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const problems: string[] = [];
  for (const [what, property] of schemaProperties(document)) {
    if (!('example' in property)) {
      problems.push(`${what} has no example`);
      continue;
    }
    const { example, ...schema } = property;
    const validate = ajv.compile({ ...schema, components: document.components });
    if (!validate(example)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
      problems.push(`${what} example ${JSON.stringify(example)}: ${errors.join('; ')}`);
    }
  }
  return problems;
}

/**
 * What is wrong with the examples of the operations' parameters (path, query, header): one
 * without an example, or an example its own schema refuses.
 */
export function parameterExampleProblems(document: OpenApiDocument): string[] {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const problems: string[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const parameter of operation.parameters ?? []) {
        const what = `${method.toUpperCase()} ${path} ${parameter.in} ${parameter.name}`;
        const { example: inSchema, ...schema } = parameter.schema ?? {};
        const example = parameter.example ?? inSchema;
        if (example === undefined) {
          problems.push(`${what} has no example`);
          continue;
        }
        const validate = ajv.compile(schema);
        if (!validate(example)) {
          const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
          problems.push(`${what} example ${JSON.stringify(example)}: ${errors.join('; ')}`);
        }
      }
    }
  }
  return problems;
}

/** The distinct examples of each property name, e.g. `conversationId` → ["0192…"]. */
export function examplesByName(document: OpenApiDocument): Record<string, unknown[]> {
  const byName: Record<string, unknown[]> = {};
  for (const [what, property] of schemaProperties(document)) {
    const name = what.slice(what.lastIndexOf('.') + 1);
    const seen = (byName[name] ??= []);
    if ('example' in property && !seen.some((e) => JSON.stringify(e) === JSON.stringify(property.example)))
      seen.push(property.example);
  }
  return byName;
}

/**
 * Closes every object schema that does not say otherwise (`additionalProperties: false`), so that a
 * field the gateway sends but the document does not name is a violation too, not only a missing one.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, closed(value)]));
  if ('properties' in copy && !('additionalProperties' in copy)) copy.additionalProperties = false;
  return copy;
}

/**
 * What the document's schema (a `$ref` into it, or one with such refs) finds wrong with a value, with
 * every object closed as in DocumentConformance: a missing field, a wrong type or format, and an
 * undocumented field alike.
 */
export function schemaProblems(document: OpenApiDocument, schema: unknown, value: unknown): string[] {
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  const validate = ajv.compile({ ...(closed(schema) as object), components: closed(document.components) });
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => {
    const field = (e.params as { additionalProperty?: string }).additionalProperty;
    return `${e.instancePath || '/'} ${e.message}${field ? ` (${field})` : ''}`;
  });
}

/**
 * An openapi-fetch middleware that holds every answer against the gateway's own document: the status
 * must be documented for the operation, each header documented as required there present, the
 * content type documented for that status, and the JSON body valid against its schema (formats
 * checked, undocumented fields refused). Violations are
 * collected rather than thrown, so that a test polling with waitFor still reports them.
 */
export class DocumentConformance {
  violations: string[] = [];
  /** `GET /v1/conversations/{id} 200` for every answer checked. */
  readonly checked: string[] = [];
  private readonly ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly components: unknown;

  constructor(private readonly document: OpenApiDocument) {
    this.components = closed(document.components);
  }

  readonly middleware: Middleware = {
    onResponse: async ({ request, response, schemaPath }) => {
      const method = request.method.toLowerCase();
      const what = `${request.method} ${schemaPath} ${response.status}`;
      this.checked.push(what);
      const operation = this.document.paths[schemaPath]?.[method];
      if (!operation) return void this.violations.push(`${what}: the operation is not documented`);
      const declared = operation.responses[String(response.status)];
      if (!declared) return void this.violations.push(`${what}: the status is not documented`);
      const missing = Object.entries(declared.headers ?? {})
        .filter(([name, header]) => this.header(header.$ref).required && !response.headers.has(name))
        .map(([name]) => name);
      if (missing.length) this.violations.push(`${what}: no ${missing.join(', ')} header`);
      const type = response.headers.get('content-type')?.split(';')[0].trim() ?? '';
      const media = declared.content?.[type];
      if (!media?.schema)
        return void this.violations.push(`${what}: content-type "${type}" is not documented`);
      const body: unknown = await response.clone().json();
      const validate = this.validator(`${method} ${schemaPath} ${response.status} ${type}`, media.schema);
      if (!validate(body)) {
        const errors = (validate.errors ?? []).map((e) => {
          const field = (e.params as { additionalProperty?: string }).additionalProperty;
          return `${e.instancePath || '/'} ${e.message}${field ? ` (${field})` : ''}`;
        });
        this.violations.push(`${what}: ${errors.join('; ')} in ${JSON.stringify(body).slice(0, 300)}`);
      }
    },
  };

  /** A header of the document's components, `#/components/headers/Retry-After`. */
  private header(ref: string): { required?: boolean } {
    return this.document.components.headers?.[ref.replace('#/components/headers/', '')] ?? {};
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // `#/components/schemas/…` references resolve inside this root.
      validate = this.ajv.compile({ ...(closed(schema) as object), components: this.components });
      this.validators.set(key, validate);
    }
    return validate;
  }
}
