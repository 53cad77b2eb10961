import { getMetadataStorage, ValidationArguments, ValidationTypes, ValidatorOptions } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * One decorator's rule, its constraint looked up once. `test` is class-validator's own `validate`
 * of that constraint.
 */
interface Rule {
  each: boolean;
  constraints: unknown[];
  test: (value: unknown, args: ValidationArguments) => unknown;
}

interface PropertyRules {
  name: string;
  /** `@IsOptional`, `@ValidateIf`: when one is false, the property is not checked at all. */
  conditions: ((object: object, value: unknown) => unknown)[];
  /** `@IsDefined`, checked even where a condition would skip the rest. */
  defined: Rule[];
  rules: Rule[];
  nested: boolean;
}

interface ClassRules {
  known: Set<string>;
  properties: PropertyRules[];
}

/** What the fast path understands; anything else goes to class-validator every time. */
const HANDLED = new Set<string>([
  ValidationTypes.CUSTOM_VALIDATION,
  ValidationTypes.NESTED_VALIDATION,
  ValidationTypes.CONDITIONAL_VALIDATION,
  ValidationTypes.WHITELIST,
  ValidationTypes.IS_DEFINED,
]);

const FAST_OPTIONS = new Set(['whitelist', 'forbidNonWhitelisted', 'forbidUnknownValues', 'validationError']);

const compiled = new Map<unknown, ClassRules | null>();

function rulesOf(metadata: ValidationMetadata): Rule[] {
  return getMetadataStorage()
    .getTargetValidatorConstraints(metadata.constraintCls)
    .map((constraint) => {
      const instance = constraint.instance as { validate: Rule['test'] };
      return {
        each: metadata.each,
        constraints: metadata.constraints,
        test: instance.validate.bind(instance),
      };
    });
}

/** The class's rules grouped by property, as class-validator groups them on every call. */
function compile(target: unknown): ClassRules | null {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(
    target as new () => object,
    undefined as unknown as string,
    false,
    false,
  );
  if (metadatas.some((m) => !HANDLED.has(m.type))) return null;
  const byProperty = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    let property = byProperty.get(metadata.propertyName);
    if (!property) {
      property = { name: metadata.propertyName, conditions: [], defined: [], rules: [], nested: false };
      byProperty.set(metadata.propertyName, property);
    }
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      property.conditions.push(metadata.constraints[0] as PropertyRules['conditions'][number]);
    } else if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
      property.nested = true;
    } else if (metadata.type !== ValidationTypes.WHITELIST) {
      (metadata.type === ValidationTypes.IS_DEFINED ? property.defined : property.rules).push(
        ...rulesOf(metadata),
      );
    }
  }
  return { known: new Set(byProperty.keys()), properties: [...byProperty.values()] };
}

function rulesFor(target: unknown): ClassRules | null {
  let rules = compiled.get(target);
  if (rules === undefined) {
    rules = compile(target);
    compiled.set(target, rules);
  }
  return rules;
}

const isCollection = (value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> =>
  Array.isArray(value) || value instanceof Set || value instanceof Map;

const elementsOf = (value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] =>
  value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];

const isThenable = (result: unknown): boolean =>
  typeof (result as { then?: unknown } | null)?.then === 'function';

function passesRules(object: object, property: string, value: unknown, rules: Rule[]): boolean {
  for (const rule of rules) {
    const args: ValidationArguments = {
      targetName: object.constructor?.name,
      property,
      object,
      value,
      constraints: rule.constraints,
    };
    const values = rule.each && isCollection(value) ? elementsOf(value) : [value];
    for (const v of values) {
      // A promise (an async rule) is for class-validator to await or, in validateSync, to skip.
      const result = rule.test(v, args);
      if (!result || isThenable(result)) return false;
    }
  }
  return true;
}

type FastOptions = Pick<ValidatorOptions, 'forbidNonWhitelisted' | 'forbidUnknownValues'>;

/**
 * True when class-validator would find nothing wrong (whitelisting as it would); false when it
 * might: then class-validator itself decides and says why. Only ever a shortcut to "valid".
 */
function passes(object: object, options: FastOptions): boolean {
  if (typeof object.constructor !== 'function') return false;
  const rules = rulesFor(object.constructor);
  if (!rules) return false;
  if (!rules.properties.length && options.forbidUnknownValues !== false) return false;
  const record = object as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (rules.known.has(key)) continue;
    if (options.forbidNonWhitelisted) return false;
    delete record[key];
  }
  for (const property of rules.properties) {
    const value = record[property.name];
    if (!property.conditions.every((condition) => condition(object, value))) continue;
    if (!passesRules(object, property.name, value, property.defined)) return false;
    if (!passesRules(object, property.name, value, property.rules)) return false;
    if (property.nested && value !== undefined && !passesNested(value, options)) return false;
  }
  return true;
}

function passesNested(value: unknown, options: FastOptions): boolean {
  if (isCollection(value)) {
    // class-validator lets an undefined element through and fails any other non-object one.
    return elementsOf(value).every(
      (element) => element === undefined || (element instanceof Object && passes(element as object, options)),
    );
  }
  return value instanceof Object && passes(value, options);
}

/**
 * True when class-validator, given these options, would find nothing wrong with `object`; it has
 * then whitelisted `object` as class-validator would. False when it might find something: then ask
 * class-validator, which names every problem. The rules are class-validator's own, run the same way,
 * but each class's are looked up once: class-validator looks them up on every call (walking every
 * decorated class for inherited ones) and builds an error object per property even when nothing is
 * wrong, most of what decoding a pulled message cost. Anything this does not handle (async or
 * promise rules, groups, skip options, no whitelisting) answers false.
 */
export function passesCompiledRules(object: object, options: ValidatorOptions): boolean {
  return (
    options.whitelist === true &&
    Object.keys(options).every((key) => FAST_OPTIONS.has(key)) &&
    passes(object, options)
  );
}
