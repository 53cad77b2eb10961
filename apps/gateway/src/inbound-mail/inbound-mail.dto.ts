import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import {
  Page,
  RECEIVED_MAIL_TEXT_MAX,
  UNMATCHED_MAIL_REASONS,
  UnmatchedMailReason,
  UnmatchedMailView,
} from '@parley/contracts';
import { CONVERSATION_ID } from '../api/examples';

const REPLY_ADDRESS = `reply+${CONVERSATION_ID}.0123456789abcdef0123@reply.example.com`;
const CUSTOMER_ADDRESS = 'bob@example.com';
/** A cursor of the unmatched mail list: where the page ended, (receivedAt, id). */
export const UNMATCHED_CURSOR = 'WyIyMDI2LTEyLTA3VDEwOjA1OjAwLjAwMFoiLCI1YjBmIl0';
const EMAIL_MESSAGE_ID = 'CAF=k2vL9x@mail.gmail.com';

/*
 * Postmark's inbound webhook payload (https://postmarkapp.com/developer/webhooks/inbound-webhook):
 * the fields Parley reads. Postmark sends more (Attachments, Cc, Tag, …): they are left out, not refused.
 */

export class PostmarkAddress {
  @ApiProperty({ example: CUSTOMER_ADDRESS }) @IsString() @Length(0, 320) Email: string;
  @ApiPropertyOptional({ example: 'Bob' }) @IsOptional() @IsString() @Length(0, 300) Name?: string;
}

export class PostmarkHeader {
  @ApiProperty({ example: 'Message-ID' }) @IsString() @Length(1, 200) Name: string;
  @ApiProperty({ example: `<${EMAIL_MESSAGE_ID}>` }) @IsString() @Length(0, 2000) Value: string;
}

export class PostmarkInbound {
  @ApiProperty({
    example: '22c74902-a0c1-4511-804f-341342852c90',
    description: "Postmark's id of the email: its key when the email has no Message-ID header",
  })
  @IsString()
  @Length(1, 200)
  MessageID: string;

  @ApiPropertyOptional({ example: CUSTOMER_ADDRESS, description: 'Read when FromFull is absent' })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  From?: string;

  @ApiPropertyOptional({ type: PostmarkAddress })
  @IsOptional()
  @ValidateNested()
  @Type(() => PostmarkAddress)
  FromFull?: PostmarkAddress;

  @ApiPropertyOptional({
    type: [PostmarkAddress],
    description: 'Recipients; a reply address among them is read',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PostmarkAddress)
  ToFull?: PostmarkAddress[];

  @ApiPropertyOptional({ type: [PostmarkAddress] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PostmarkAddress)
  CcFull?: PostmarkAddress[];

  @ApiPropertyOptional({
    example: REPLY_ADDRESS,
    description: 'The address the email was delivered to (it may be a Bcc), read first',
  })
  @IsOptional()
  @IsString()
  @Length(0, 320)
  OriginalRecipient?: string;

  @ApiPropertyOptional({ example: 'Re: Your question about the router' })
  @IsOptional()
  @IsString()
  @Length(0, 998)
  Subject?: string;

  @ApiPropertyOptional({ example: 'Mon, 7 Dec 2026 10:05:00 +0000' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  Date?: string;

  @ApiPropertyOptional({
    example: 'Thanks, that fixed it!\n\nOn Mon, Dec 7, 2026 at 10:02 AM Ada wrote:\n> Try restarting it.',
    description:
      "The text of the email: Parley strips the quoted history and signature itself (Postmark's StrippedTextReply is not read, so both receivers strip alike)",
  })
  @IsOptional()
  @IsString()
  @Length(0, 10 * RECEIVED_MAIL_TEXT_MAX)
  TextBody?: string;

  @ApiPropertyOptional({ type: [PostmarkHeader], description: 'Its `Message-ID` is the idempotency key' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => PostmarkHeader)
  Headers?: PostmarkHeader[];
}

export class MailReceived {
  @ApiProperty({
    example: '5b0f7c1e-2a4d-5e6f-8a9b-0c1d2e3f4a5b',
    description: 'Id of the email (and of the message it becomes)',
  })
  id: string;
  @ApiProperty({ example: EMAIL_MESSAGE_ID }) messageId: string;
}

export class UnmatchedMail implements UnmatchedMailView {
  @ApiProperty({ example: '5b0f7c1e-2a4d-5e6f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty({ example: EMAIL_MESSAGE_ID }) messageId: string;
  @ApiProperty({ enum: ['smtp', 'postmark'], example: 'smtp', description: 'How it came in' }) source: string;
  @ApiProperty({ example: 'mallory@example.net' }) from: string;
  @ApiProperty({ example: [`reply+${CONVERSATION_ID}.ffffffffffffffffffff@reply.example.com`] }) to: string[];
  @ApiProperty({ example: 'Re: Your question about the router' }) subject: string;
  @ApiProperty({
    enum: UNMATCHED_MAIL_REASONS,
    example: 'forged-address',
    description:
      "`not-a-reply-address`: no recipient is a reply address; `forged-address`: a reply address whose tag does not verify (made up or altered); `unknown-conversation`; `sender-not-customer`: sent from another address than the customer's; `empty-reply`: nothing new once quoted history and signature are stripped; `too-long`: the new text is over 10,000 characters",
  })
  reason: UnmatchedMailReason;
  @ApiProperty({
    example: 'Please refund my order to this account…',
    description: 'The first 500 characters of its text',
  })
  excerpt: string;
  @ApiProperty({ format: 'date-time', example: '2026-12-07T10:05:00.000Z' }) receivedAt: string;
}

export class UnmatchedMailPage implements Page<UnmatchedMailView> {
  @ApiProperty({ type: [UnmatchedMail] }) items: UnmatchedMail[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: UNMATCHED_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
