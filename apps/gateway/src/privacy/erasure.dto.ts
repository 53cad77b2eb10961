import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import {
  ERASURE_REQUEST_STATUSES,
  ERASURE_STORES,
  ErasureCertificate,
  ErasureMethod,
  ErasureRequestStatus,
  ErasureRequestView,
  ErasureStore,
  ErasureStoreView,
  Page,
  Requester,
  ROLES,
  Role,
} from '@parley/contracts';
import { CUSTOMER_ID, OPENED_AT, REPLIED_AT } from '../api/examples';
import { PageQuery } from '../api/paging';

export const ERASURE_ID = 'erasure-5d41402abc4b2a76b9719d911017c592ae1c4e2b';
export const ERASURE_REQUEST_ID = '0192f7c0-5a1b-7c2d-8e3f-4a5b6c7d8e9f';
const ADMIN_ID = 'admin';

export const ERASURE_STATUSES = ['pending', 'completed'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

export class ErasureAccepted {
  @ApiProperty({
    example: ERASURE_ID,
    description: 'The same for every request to erase the same customer',
  })
  erasureId: string;
  @ApiProperty({
    enum: ERASURE_STATUSES,
    example: 'pending',
    description: '`completed` once every store confirmed its part (see the certificate)',
  })
  status: ErasureStatus;
  @ApiProperty({ example: `/v1/erasures/${ERASURE_ID}`, description: 'The erasure’s certificate' })
  certificateUrl: string;
}

export class RequesterDoc implements Requester {
  @ApiProperty({ enum: ROLES, example: 'admin' }) kind: Role;
  @ApiProperty({ example: ADMIN_ID }) id: string;
}

export class ErasureStoreDoc implements ErasureStoreView {
  @ApiProperty({ enum: ERASURE_STORES, example: 'history' }) store: ErasureStore;
  @ApiProperty({
    enum: ['deleted', 'cryptographic'],
    example: 'deleted',
    description:
      '`cryptographic` for the streams: their copies age out sealed under keys that were destroyed',
  })
  method: ErasureMethod;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: REPLIED_AT })
  erasedAt: string | null;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    example: 12,
    description: 'Records deleted; null where not counted (keys) or not in yet',
  })
  count: number | null;
}

export class ErasureCertificateDoc implements ErasureCertificate {
  @ApiProperty({ example: ERASURE_ID }) id: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({ type: RequesterDoc, description: 'Who issued the erasure' }) requestedBy: RequesterDoc;
  @ApiProperty({ format: 'date-time', example: OPENED_AT }) requestedAt: string;
  @ApiProperty({
    nullable: true,
    type: String,
    example: ERASURE_REQUEST_ID,
    description: 'The customer’s own request it approved, if any',
  })
  requestId: string | null;
  @ApiProperty({ type: 'integer', example: 3, description: 'Conversations kept as content-free shells' })
  conversations: number;
  @ApiProperty({ type: [ErasureStoreDoc] }) stores: ErasureStoreDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: REPLIED_AT,
    description: 'When the last store erased its part; null until then',
  })
  completedAt: string | null;
}

export class ErasureRequestDoc implements ErasureRequestView {
  @ApiProperty({ example: ERASURE_REQUEST_ID }) id: string;
  @ApiProperty({ example: CUSTOMER_ID }) customerId: string;
  @ApiProperty({ enum: ERASURE_REQUEST_STATUSES, example: 'pending' }) status: ErasureRequestStatus;
  @ApiProperty({ format: 'date-time', example: OPENED_AT }) requestedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The admin who decided' })
  decidedBy: string | null;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The erasure an approval issued' })
  erasureId: string | null;
}

export class ErasureRequestPageDoc implements Page<ErasureRequestView> {
  @ApiProperty({ type: [ErasureRequestDoc] }) items: ErasureRequestDoc[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}

export class ErasureRequestsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ERASURE_REQUEST_STATUSES, example: 'pending' })
  @IsOptional()
  @IsIn(ERASURE_REQUEST_STATUSES)
  status?: ErasureRequestStatus;
}
