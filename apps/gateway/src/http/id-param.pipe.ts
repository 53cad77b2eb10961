import { BadRequestException, PipeTransform } from '@nestjs/common';

/** Ids are opaque, but never longer than 64 characters of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export class IdParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ID_PATTERN.test(value)) throw new BadRequestException(`"${value.slice(0, 80)}" is not a valid id.`);
    return value;
  }
}
