import { ValidationError, ValidationPipe } from '@nestjs/common';
import { passesCompiledRules } from '@parley/validation';
import type { ValidatorOptions } from 'class-validator';
import { FieldError, InvalidRequest } from './problem';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Nest's pipe, asking class-validator only about a request that fails the rules looked up once. */
class RequestValidationPipe extends ValidationPipe {
  protected override validate(
    object: object,
    options?: ValidatorOptions,
  ): Promise<ValidationError[]> | ValidationError[] {
    return options && passesCompiledRules(object, options) ? [] : super.validate(object, options);
  }
}

/** Unknown fields are rejected, every problem is named with its field. */
export const requestValidation = new RequestValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new InvalidRequest(flatten(errors)),
});

/**
 * A provider's payload (an inbound mail webhook): the provider sends more fields than Parley reads
 * and adds new ones at will, so those are left out instead of refused; the ones read are checked.
 */
export const providerPayloadValidation = new RequestValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: false,
  transform: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => new InvalidRequest(flatten(errors)),
});
