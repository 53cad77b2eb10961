import { BadRequestException, PipeTransform } from '@nestjs/common';

/** Path ids are opaque, but never longer than 64 characters of [A-Za-z0-9_-]. */
export class IdParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value))
      throw new BadRequestException(`"${value.slice(0, 80)}" is not a valid id.`);
    return value;
  }
}
