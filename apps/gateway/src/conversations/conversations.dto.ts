import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import {
  MESSAGE_BODY_MAX,
  PAGE_LIMIT_DEFAULT,
  PAGE_LIMIT_MAX,
  Priority,
  PRIORITIES,
} from '@parley/contracts';

export class OpenConversationRequest {
  @ApiPropertyOptional({ example: 'Where is my order?', maxLength: 300 })
  @IsOptional()
  @IsString()
  @Length(0, 300)
  subject?: string;

  @ApiProperty({ example: 'Hi! My order #1234 has not arrived.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;
}

export class ConversationOpened {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Id of the first message' }) messageId: string;
}

export class PostMessageRequest {
  @ApiProperty({ example: 'Thanks, that helped.', minLength: 1, maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @Length(1, MESSAGE_BODY_MAX)
  body: string;
}

export class MessageAccepted {
  @ApiProperty() id: string;
}

export class ListMessagesQuery {
  @ApiPropertyOptional({
    description: 'Return messages with seq greater than this (reading forwards)',
    minimum: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_147_483_647)
  after?: number;

  @ApiPropertyOptional({
    description: 'Return messages with seq lower than this (reading backwards)',
    minimum: 1,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  before?: number;

  @ApiPropertyOptional({ default: PAGE_LIMIT_DEFAULT, minimum: 1, maximum: PAGE_LIMIT_MAX })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;
}

export class MessageItem {
  @ApiProperty() id: string;
  @ApiProperty() conversationId: string;
  @ApiProperty({ example: 1 }) seq: number;
  @ApiProperty() authorId: string;
  @ApiProperty({ enum: ['agent', 'customer'] }) authorRole: string;
  @ApiProperty({ enum: ['message', 'note'] }) type: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class MessagePage {
  @ApiProperty({ type: [MessageItem] }) items: MessageItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The seq to pass as `after` (or `before` when reading backwards) for the next page; null at the end',
  })
  nextCursor: string | null;
}
