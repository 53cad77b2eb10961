import { BadRequestException, PipeTransform } from '@nestjs/common';
import { ID_PATTERN } from '@parley/contracts';

export class IdParam implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ID_PATTERN.test(value)) throw new BadRequestException(`"${value.slice(0, 80)}" is not a valid id.`);
    return value;
  }
}
