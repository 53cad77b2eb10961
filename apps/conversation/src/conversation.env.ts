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

  /**
   * Minutes between the scheduled retention runs (every site's policy): recorded in the database,
   * so a restart neither skips nor repeats one.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  PARLEY_RETENTION_INTERVAL_MINUTES = 60;
}
