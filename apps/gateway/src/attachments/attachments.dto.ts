import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ATTACHMENT_TYPES, AttachmentType, AttachmentView } from '@parley/contracts';

export const ATTACHMENT_ID = '01936f0e-6a2b-7c3d-9e4f-5a6b7c8d9e0f';
const SIGNED_URL = `/v1/attachments/${ATTACHMENT_ID}?token=eyJhdHRhY2htZW50SWQiOi4uLn0.k1.c2lnbmF0dXJl`;

/** An attachment as a message shows it: `url` downloads it without a bearer, for a short while. */
export class AttachmentItem implements AttachmentView {
  @ApiProperty({ example: ATTACHMENT_ID }) id: string;
  @ApiProperty({ example: 'broken-parcel.png', description: 'The file name as uploaded' }) name: string;
  @ApiProperty({ enum: ATTACHMENT_TYPES, example: 'image/png', description: 'As sniffed from the bytes' })
  contentType: AttachmentType;
  @ApiProperty({ example: 48213, description: 'Bytes' }) size: number;
  @ApiPropertyOptional({
    example: SIGNED_URL,
    description:
      'Signed download link, relative to the API, valid for PARLEY_ATTACHMENT_URL_TTL_SECONDS (default 300 s) from this answer: ask for the message again for a fresh one',
  })
  url?: string;
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-07T12:00:00.000Z',
    description:
      "When its site's retention policy deleted the file; the message keeps its name and size, and carries no `url`",
  })
  expiredAt?: string;
}

/** What an upload answers: the attachment, to reference in `attachments` of a message. */
export class UploadedAttachment {
  @ApiProperty({ example: ATTACHMENT_ID }) id: string;
  @ApiProperty({ example: 'broken-parcel.png' }) name: string;
  @ApiProperty({ enum: ATTACHMENT_TYPES, example: 'image/png', description: 'As sniffed from the bytes' })
  contentType: AttachmentType;
  @ApiProperty({ example: 48213 }) size: number;
  @ApiProperty({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'Hex SHA-256 of the bytes as stored',
  })
  sha256: string;
  @ApiProperty({ example: SIGNED_URL, description: 'Signed download link, as on a message' }) url: string;
}

export class DownloadQuery {
  @ApiProperty({
    description: 'The signature of the link, as `url` of the attachment has it',
    example: 'eyJhdHRhY2htZW50SWQiOi4uLn0.k1.c2lnbmF0dXJl',
  })
  @IsString()
  @Length(1, 2000)
  token: string;
}
