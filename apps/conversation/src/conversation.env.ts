import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceEnv } from '@parley/runtime';

export class ConversationEnv extends ServiceEnv {
  /** Hours after its upload an attachment no message references is deleted from the object store. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  PARLEY_ATTACHMENT_ORPHAN_HOURS = 24;
}
