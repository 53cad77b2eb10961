import { getMetadataStorage, validateSync, ValidatorOptions } from 'class-validator';
import { isDeepStrictEqual } from 'node:util';

type Decorated = new () => object;

export interface Conformance {
  /** One line per object on which the two disagreed: the verdict or what whitelisting left. */
  disagreements: string[];
  samples: number;
  /** Objects class-validator found valid: a check that only ever saw invalid ones shows little. */
  valid: number;
  /** The classes for which a valid object was found by combining the value pool. */
  classesWithValidSample: string[];
}

const rulesOf = (target: Decorated) =>
  getMetadataStorage().getTargetValidationMetadatas(target, undefined as unknown as string, false, false);

/** The decorated classes among a module's exports. */
export function decoratedClasses(exports: Record<string, unknown>): Decorated[] {
  return Object.values(exports).filter(
    (value): value is Decorated => typeof value === 'function' && rulesOf(value as Decorated).length > 0,
  );
}

/** Values that pass and fail the usual decorators, made afresh for each object: whitelisting mutates. */
function commonValues(): unknown[] {
  return [
    undefined,
    null,
    '',
    'a',
    'a-1_B',
    'has space',
    'x'.repeat(65),
    'x'.repeat(201),
    'x'.repeat(2001),
    'x'.repeat(10_001),
    0,
    1,
    -1,
    1.5,
    200,
    1001,
    Number.NaN,
    true,
    [],
    ['a'],
    [1],
    [undefined],
    Array.from({ length: 51 }, (_, i) => `v${i}`),
    {},
    { a: 1 },
    new Set(['a']),
    new Map([['k', 'a']]),
    '2026-12-01T09:30:00.000Z',
    '2026-13-45',
    'agent@example.com',
    'not-an-email',
    'https://example.com/hooks/parley',
    'ftp://example.com',
    '01a22f4f-4075-7179-a5ee-760eb80615e4',
    'sealed.v1.k1.aXY.Y2lwaGVy.dGFn',
    // A SHA-256 hex digest (invite and refresh-token hashes) and an argon2id PHC string.
    'a'.repeat(64),
    '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    // An IANA time zone (a site's business hours).
    'Europe/Berlin',
    // A label's colour.
    '#d93f0b',
  ];
}

/** Every value an `@IsIn` of the classes allows, alone and in an array. */
function allowedValues(classes: Decorated[]): unknown[] {
  const listed = classes.flatMap((c) =>
    rulesOf(c)
      .filter((m) => m.name === 'isIn')
      .flatMap((m) => m.constraints[0] as unknown[]),
  );
  const unique = [...new Set(listed)];
  return [...unique, ...unique.map((v) => [v]), unique.filter((v) => typeof v === 'string')];
}

function instance(target: Decorated, plain: Record<string, unknown>): object {
  return Object.assign(Object.create(target.prototype) as object, plain);
}

/**
 * Compares `passes` with class-validator's validateSync on objects of every class: for each class a
 * valid object is put together from a pool of values (common ones, every `@IsIn` value, and valid
 * and invalid objects of the other classes, for nested rules), then every property in turn is given
 * every value of the pool, and an unknown property is added. `passes` must agree exactly, and leave
 * the object as validateSync's whitelisting does.
 */
export function compareWithClassValidator(
  classes: Decorated[],
  passes: (object: object, options: ValidatorOptions) => boolean,
  options: ValidatorOptions,
): Conformance {
  const result: Conformance = { disagreements: [], samples: 0, valid: 0, classesWithValidSample: [] };
  const allowed = allowedValues(classes);
  const propertiesOf = (c: Decorated) => [...new Set(rulesOf(c).map((m) => m.propertyName))];
  const propertyPasses = (c: Decorated, property: string, value: unknown) =>
    !validateSync(instance(c, { [property]: value }), options).some((e) => e.property === property);

  // Factories, so that every use gets a fresh value.
  const primitives = [...commonValues(), ...allowed].map((_, i) => () => [...commonValues(), ...allowed][i]);
  const chosen = new Map<Decorated, [string, () => unknown][]>();
  for (const c of classes) {
    const picks: [string, () => unknown][] = [];
    for (const property of propertiesOf(c)) {
      const pick = primitives.find((value) => propertyPasses(c, property, value()));
      if (pick) picks.push([property, pick]);
    }
    chosen.set(c, picks);
  }
  const sampleOf = (c: Decorated): object =>
    instance(c, Object.fromEntries((chosen.get(c) ?? []).map(([p, value]) => [p, value()])));
  const brokenSampleOf = (c: Decorated): object =>
    Object.assign(sampleOf(c), Object.fromEntries(propertiesOf(c).map((p) => [p, 42])));
  const pool: (() => unknown)[] = [
    ...primitives,
    ...classes.flatMap((c) => [
      () => sampleOf(c),
      () => brokenSampleOf(c),
      () => [sampleOf(c)],
      () => [brokenSampleOf(c)],
      () => [sampleOf(c), undefined],
    ]),
  ];

  const compare = (c: Decorated, label: string, build: () => object) => {
    const [fast, slow] = [build(), build()];
    const fastVerdict = passes(fast, options);
    const slowVerdict = validateSync(slow, options).length === 0;
    result.samples += 1;
    if (slowVerdict) result.valid += 1;
    if (fastVerdict !== slowVerdict) {
      result.disagreements.push(`${c.name} ${label}: fast ${fastVerdict}, class-validator ${slowVerdict}`);
    } else if (fastVerdict && !isDeepStrictEqual(fast, slow)) {
      result.disagreements.push(`${c.name} ${label}: whitelisted differently`);
    }
  };

  for (const c of classes) {
    compare(c, 'as put together', () => sampleOf(c));
    if (validateSync(sampleOf(c), options).length === 0) result.classesWithValidSample.push(c.name);
    compare(c, 'with an unknown property', () => Object.assign(sampleOf(c), { unknown: 'x' }));
    for (const property of propertiesOf(c)) {
      pool.forEach((value, i) =>
        compare(c, `${property} = pool[${i}]`, () => Object.assign(sampleOf(c), { [property]: value() })),
      );
    }
  }
  return result;
}
