import { DomainEvent } from '@parley/contracts';
import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
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

/**
 * Parses a message's JSON and checks it against its schema. Events are checked as envelopes: the
 * envelope's fields are flat, so a shallow copy is the instance class-transformer would build,
 * without walking `data` (class-transformer's copy was almost half of decoding an event:
 * `npm run bench -- decode`). Commands have nested classes and go through class-transformer.
 */
export async function decodePayload(
  data: Uint8Array,
  subject: string,
  schema?: PayloadClass,
): Promise<unknown> {
  let plain: unknown;
  try {
    plain = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new UndecodablePayload(`payload of ${subject} is not JSON`);
  }
  if (!schema) return plain;
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new UndecodablePayload(`payload of ${subject} is not a JSON object`);
  }
  const instance: object =
    schema === DomainEvent ? Object.assign(new DomainEvent(), plain) : plainToInstance(schema, plain);
  const problems = describeValidation(await validate(instance, { whitelist: true }));
  if (problems.length) throw new UndecodablePayload(`invalid ${schema.name}: ${problems.join('; ')}`);
  return instance;
}
