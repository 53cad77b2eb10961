import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { EXPORT_PARTS, ExportPart, ROLES, Role } from '@parley/contracts';
import { CUSTOMER_ID } from '../api/examples';

export const EXPORT_ID = '01936f2a-7b1c-7d2e-8f3a-4b5c6d7e8f90';
const STATUS_URL = `/v1/exports/${EXPORT_ID}`;
const ARCHIVE_URL = `/v1/exports/${EXPORT_ID}/archive?token=eyJleHBvcnRJZCI6Li4ufQ.k1.c2lnbmF0dXJl`;

export const EXPORT_STATUSES = ['pending', 'ready'] as const;
export type ExportStatusName = (typeof EXPORT_STATUSES)[number];

export class ExportAccepted {
  @ApiProperty({ example: EXPORT_ID }) id: string;
  @ApiProperty({ enum: EXPORT_STATUSES, example: 'pending' }) status: ExportStatusName;
  @ApiProperty({ example: STATUS_URL, description: 'The status resource to poll' }) statusUrl: string;
}

export class ExportRequesterItem {
  @ApiProperty({ enum: ROLES, example: 'admin' }) kind: Role;
  @ApiProperty({ example: 'admin' }) id: string;
}

export class ExportStatus {
  @ApiProperty({ example: EXPORT_ID }) id: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({
    enum: EXPORT_STATUSES,
    example: 'ready',
    description: '`ready` once every service has written its part',
  })
  status: ExportStatusName;
  @ApiProperty({
    enum: EXPORT_PARTS,
    isArray: true,
    example: ['conversation', 'history', 'mail'],
    description:
      'The parts written so far: `conversation` (profile, conversations, ratings), `history` (messages, notes, receipts, attachments), `mail` (emails sent)',
  })
  parts: ExportPart[];
  @ApiProperty({ type: ExportRequesterItem }) requestedBy: ExportRequesterItem;
  @ApiProperty({ example: '2026-12-07T22:40:00.000Z' }) requestedAt: string;
  @ApiProperty({
    example: '2026-12-14T22:40:00.000Z',
    description: 'When the export is deleted (7 days after it was asked for)',
  })
  expiresAt: string;
  @ApiPropertyOptional({
    example: ARCHIVE_URL,
    description:
      'When ready: the archive (zip: `export.json` and `attachments/<id>-<name>`), relative to the API, no bearer needed, valid for PARLEY_EXPORT_URL_TTL_SECONDS (default 900 s) from this answer',
  })
  url?: string;
  @ApiPropertyOptional({ example: '2026-12-07T22:55:00.000Z', description: 'When `url` stops working' })
  urlExpiresAt?: string;
}

export class ArchiveQuery {
  @ApiProperty({
    description: 'The signature of the link, as `url` of the export has it',
    example: 'eyJleHBvcnRJZCI6Li4ufQ.k1.c2lnbmF0dXJl',
  })
  @IsString()
  @Length(1, 2000)
  token: string;
}
