/** A schema as OpenAPI 3.1 writes it (JSON Schema 2020-12), as far as this document uses one. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  const?: string;
  enum?: readonly unknown[];
  format?: string;
  description?: string;
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  discriminator?: { propertyName: string; mapping: Record<string, string> };
}

export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The object schema of a contract type, every field required as the contract's are: the properties
 * must name exactly T's fields, so a field added to the contract fails to compile until it is
 * described here.
 */
export function objectOf<T extends object>(
  description: string,
  properties: { [K in keyof T]-?: JsonSchema },
  optional: OptionalKeys<T>[] = [],
): JsonSchema {
  const required = Object.keys(properties).filter((key) => !optional.includes(key as OptionalKeys<T>));
  return { type: 'object', description, properties, required };
}

/** The fields of T it may lack: those events stored before the field existed lack it. */
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

export const text = (example: string, description?: string): JsonSchema => ({
  type: 'string',
  example,
  ...(description && { description }),
});

export const textOrNull = (example: string | null, description?: string): JsonSchema => ({
  type: ['string', 'null'],
  example,
  ...(description && { description }),
});

export const timestamp = (example: string, description?: string): JsonSchema => ({
  ...text(example, description),
  format: 'date-time',
});

export const oneOfList = (values: readonly string[], example: string, description?: string): JsonSchema => ({
  ...text(example, description),
  enum: values,
});
