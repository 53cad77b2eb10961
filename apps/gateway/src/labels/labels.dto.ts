import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import {
  ChangeLabel,
  DefineLabel,
  ID_PATTERN,
  LABEL_DESCRIPTION_MAX,
  LABEL_NAME_MAX,
  LABELS_PER_CONVERSATION_MAX,
  LabelView,
  Page,
} from '@parley/contracts';
import { LABEL_CURSOR, LABEL_ID, OPENED_AT } from '../api/examples';
import { RequestFrom } from '../api/request-from';

const NAME = {
  example: 'refund',
  minLength: 1,
  maxLength: LABEL_NAME_MAX,
  description: 'Unique, whatever its case',
};
const COLOUR = { example: '#d93f0b', pattern: '^#[0-9a-fA-F]{6}$', description: '`#rrggbb`' };
const DESCRIPTION = { example: 'The customer asks for money back', maxLength: LABEL_DESCRIPTION_MAX };

export class CreateLabelRequest extends RequestFrom(DefineLabel, {
  given: ['name', 'colour', 'description'],
  assigned: ['labelId'],
}) {
  @ApiProperty(NAME) override name: string;
  @ApiProperty(COLOUR) override colour: string;
  @ApiPropertyOptional(DESCRIPTION) override description?: string;
}

export class ChangeLabelRequest extends RequestFrom(ChangeLabel, {
  given: ['name', 'colour', 'description'],
  assigned: ['labelId'],
}) {
  @ApiPropertyOptional(NAME) override name?: string;
  @ApiPropertyOptional(COLOUR) override colour?: string;
  @ApiPropertyOptional(DESCRIPTION) override description?: string;
}

export class LabelItem implements LabelView {
  @ApiProperty({ example: LABEL_ID }) id: string;
  @ApiProperty({ example: 'refund' }) name: string;
  @ApiProperty({ example: '#d93f0b', description: '`#rrggbb`, lower case' }) colour: string;
  @ApiProperty({ nullable: true, type: String, example: DESCRIPTION.example }) description: string | null;
  @ApiProperty({ format: 'date-time', example: OPENED_AT }) createdAt: string;
}

export class LabelPage implements Page<LabelView> {
  @ApiProperty({ type: [LabelItem] }) items: LabelItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: LABEL_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class LabelAccepted {
  @ApiProperty({ example: LABEL_ID }) id: string;
}

/** The whole set of labels a conversation carries from now on. */
export class ConversationLabelsRequest {
  @ApiProperty({
    type: [String],
    example: [LABEL_ID],
    maxItems: LABELS_PER_CONVERSATION_MAX,
    description: 'Label ids, in the order to show them; `[]` takes every label off',
  })
  @IsArray()
  @ArrayMaxSize(LABELS_PER_CONVERSATION_MAX)
  @Matches(ID_PATTERN, { each: true })
  labels: string[];
}
