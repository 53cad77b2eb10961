import { Module } from '@nestjs/common';
import { ErasureController } from './erasure.controller';

/** A customer's erasure, its certificate and customers' erasure requests. */
@Module({ controllers: [ErasureController] })
export class PrivacyModule {}
