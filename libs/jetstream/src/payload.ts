import { Command, DomainEvent, Issuer } from '@parley/contracts';
import { passesCompiledRules } from '@parley/validation';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError, ValidatorOptions } from 'class-validator';
import type { PayloadClass } from './decorators';

/** A payload no retry can fix: not JSON, not an object, or not what its schema says. */
export class UndecodablePayload extends Error {}

function describeValidation(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => `${path}: ${c}`);
    return [...own, ...describeValidation(e.children ?? [], path)];
  });
}

const VALIDATION: ValidatorOptions = { whitelist: true };

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A shallow copy; JSON.parse keeps a `__proto__` key as data, which Object.assign would make the prototype. */
function copyOnto<T extends object>(target: T, plain: object): T {
  if (Object.hasOwn(plain, '__proto__')) throw new UndecodablePayload('payload has a __proto__ key');
  return Object.assign(target, plain);
}

/**
 * The instance class-transformer would build, by shallow copies where the class's shape is known:
 * an event's envelope is flat, and a command's only nested class is `issuedBy`. class-transformer's
 * walk over every value was about half of decoding (`npm run bench -- decode`).
 */
function instanceOf(schema: PayloadClass, plain: Record<string, unknown>): object {
  if (schema === DomainEvent) return copyOnto(new DomainEvent(), plain);
  if (schema.prototype instanceof Command) {
    const command = copyOnto(new (schema as new () => Command)(), plain);
    if (isObject(plain.issuedBy)) command.issuedBy = copyOnto(new Issuer(), plain.issuedBy);
    return command;
  }
  return plainToInstance(schema, plain);
}

/**
 * Parses a message's JSON, opens its sealed content (`open`, see content-seal.ts) and checks it
 * against its schema; an event is checked as an envelope, its `data` left to its handler.
 */
export async function decodePayload(
  data: Uint8Array,
  subject: string,
  schema?: PayloadClass,
  open?: (plain: unknown) => Promise<unknown>,
): Promise<unknown> {
  let plain: unknown;
  try {
    plain = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch {
    throw new UndecodablePayload(`payload of ${subject} is not JSON`);
  }
  if (open) plain = await open(plain);
  if (!schema) return plain;
  if (!isObject(plain)) {
    throw new UndecodablePayload(`payload of ${subject} is not a JSON object`);
  }
  const instance = instanceOf(schema, plain as Record<string, unknown>);
  if (passesCompiledRules(instance, VALIDATION)) return instance;
  // Every schema's rules are synchronous; the async validate() made a promise per rule and value.
  const problems = describeValidation(validateSync(instance, VALIDATION));
  if (problems.length) throw new UndecodablePayload(`invalid ${schema.name}: ${problems.join('; ')}`);
  return instance;
}
