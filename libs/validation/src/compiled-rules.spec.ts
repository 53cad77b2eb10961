import * as contracts from '@parley/contracts';
import { compareWithClassValidator, decoratedClasses } from '@parley/testing';
import { Type } from 'class-transformer';
import {
  Allow,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidatePromise,
  ValidatorOptions,
} from 'class-validator';
import { passesCompiledRules } from './compiled-rules';

class Part {
  @IsString() @Length(1, 64) id: string;
  @IsIn(['customer', 'agent']) role: string;
}

class Parent {
  @IsInt() seq: number;
}

/** Every kind of rule the fast path handles, on one class that also inherits one. */
class EveryKind extends Parent {
  @IsOptional() @IsString() @Length(1, 200) name?: string;
  @IsDefined() @IsString() required: string;
  @IsDefined() present: unknown;
  @IsString({ each: true }) tags: string[] | Set<string> | Map<string, string>;
  @ValidateIf((o: EveryKind) => o.name === 'a') @IsInt() onlyWithName?: number;
  @ValidateNested() @Type(() => Part) part: Part;
  @ValidateNested({ each: true }) @Type(() => Part) parts: Part[];
  @Allow() anything: unknown;
}

function IsEventuallyTrue(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isEventuallyTrue',
      target: target.constructor,
      propertyName: propertyName as string,
      async: true,
      validator: { validate: async (value: unknown) => value === true },
    });
}

/** An async rule: validateSync skips it, validate() awaits it; only class-validator may decide. */
class WithAsyncRule {
  @IsEventuallyTrue() confirmed: boolean;
}

class WithPromise {
  @ValidatePromise() @IsString() later: Promise<string>;
}

class Undecorated {
  name?: string;
}

const modes: [string, ValidatorOptions][] = [
  ['as consumers decode (whitelist)', { whitelist: true }],
  [
    'as the gateway validates requests (forbid unknown fields)',
    {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      validationError: { target: false },
    },
  ],
];

describe('passesCompiledRules', () => {
  describe.each(modes)('%s', (_, options) => {
    it('agrees with class-validator on every contract class and each property given every pooled value', () => {
      const classes = decoratedClasses(contracts);
      expect(classes).toEqual(
        expect.arrayContaining([contracts.DomainEvent, contracts.PostMessage, contracts.Issuer]),
      );
      const outcome = compareWithClassValidator(classes, passesCompiledRules, options);
      expect(outcome.disagreements).toEqual([]);
      expect(outcome.classesWithValidSample).toEqual(classes.map((c) => c.name));
      expect(outcome.valid).toBeGreaterThan(classes.length * 2);
      expect(outcome.samples - outcome.valid).toBeGreaterThan(classes.length * 10);
    });

    it('agrees on every kind of rule it handles: optional, defined, each, conditional, nested, allowed, inherited', () => {
      const outcome = compareWithClassValidator([EveryKind, Part], passesCompiledRules, options);
      expect(outcome.disagreements).toEqual([]);
      expect(outcome.classesWithValidSample).toEqual(['EveryKind', 'Part']);
    });
  });

  it('leaves to class-validator what it does not handle', () => {
    expect(
      passesCompiledRules(Object.assign(new WithAsyncRule(), { confirmed: true }), { whitelist: true }),
    ).toBe(false);
    const promised = Object.assign(new WithPromise(), { later: Promise.resolve('a') });
    expect(passesCompiledRules(promised, { whitelist: true })).toBe(false);
    const valid = Object.assign(new Part(), { id: 'a', role: 'agent' });
    expect(passesCompiledRules(valid, { whitelist: true })).toBe(true);
    expect(passesCompiledRules(valid, { whitelist: false })).toBe(false);
    expect(passesCompiledRules(valid, { whitelist: true, groups: ['admin'] })).toBe(false);
    expect(passesCompiledRules(valid, { whitelist: true, skipMissingProperties: true })).toBe(false);
  });

  it('follows forbidUnknownValues for a class without rules', () => {
    expect(passesCompiledRules(new Undecorated(), { whitelist: true })).toBe(false);
    const stripped = Object.assign(new Undecorated(), { name: 'x' });
    expect(passesCompiledRules(stripped, { whitelist: true, forbidUnknownValues: false })).toBe(true);
    expect(stripped).toEqual({});
  });
});
