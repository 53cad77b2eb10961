import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../attachments/attachments.module';
import { ExportArchive } from './export-archive';
import { ExportLinks } from './export-links';
import { ExportStore } from './export-store';
import { ExportsController } from './exports.controller';

/** Customer exports: asked for, followed, and downloaded as one archive through a signed link. */
@Module({
  imports: [AttachmentsModule],
  controllers: [ExportsController],
  providers: [ExportStore, ExportLinks, ExportArchive],
})
export class ExportsModule {}
