import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CONVERSATION_ID, DEAD_LETTER_ID, DEAD_LETTERED_AT } from '../api/examples';
import { LimitQuery } from '../api/paging';

export class DeadLettersQuery extends LimitQuery {
  @ApiPropertyOptional({ type: 'integer', description: 'nextCursor of the previous page', example: 17 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  cursor?: number;
}

export class DeadLetter {
  @ApiProperty({ example: DEAD_LETTER_ID, description: 'Its sequence in the dead-letter stream' }) id: string;
  @ApiProperty({ example: 'conversation', description: 'The consumer that gave up on it' }) consumer: string;
  @ApiProperty({ example: 'payload of parley.cmd.conversation.message.post is not JSON' }) reason: string;
  @ApiProperty({ example: 'PARLEY_COMMANDS' }) originalStream: string;
  @ApiProperty({ example: 'parley.cmd.conversation.message.post' }) originalSubject: string;
  @ApiProperty({ example: 4817, description: 'Its sequence in the original stream' })
  originalSequence: number;
  @ApiProperty({ example: 1, description: 'How often it was delivered before the consumer gave up' })
  deliveries: number;
  @ApiProperty({ format: 'date-time', example: DEAD_LETTERED_AT }) deadLetteredAt: string;
  @ApiProperty({
    // Cut off mid-string, so not JSON: why the consumer gave up on it at once.
    example: `{"conversationId":"${CONVERSATION_ID}","body":"Hello`,
    description: 'The payload as text (it may not be JSON: that may be why it is here)',
  })
  payload: string;
}

export class DeadLetterPage {
  @ApiProperty({ type: [DeadLetter] }) items: DeadLetter[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: DEAD_LETTER_ID,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class ReplayAccepted {
  @ApiProperty({ example: DEAD_LETTER_ID }) id: string;
  @ApiProperty({
    example: 'parley.cmd.conversation.message.post',
    description: 'Where it was published again',
  })
  subject: string;
}
