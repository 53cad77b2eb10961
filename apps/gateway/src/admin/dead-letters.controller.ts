import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { jetstreamManager, StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, NatsConnection } from '@nats-io/nats-core';
import { PAGE_LIMIT_DEFAULT, StreamNames } from '@parley/contracts';
import { BrokerUnavailable, DeadLetterHeaders, NATS_CONNECTION } from '@parley/jetstream';
import { Allow } from '../auth/auth';
import { Audited, pathId } from '../audit/audited';
import { ApiProblems } from '../api/problem.doc';
import { ApiDeadLetterIdParam } from '../api/params.doc';
import { DeadLetter, DeadLetterPage, DeadLettersQuery, ReplayAccepted } from './dead-letters.dto';

const DLQ_HEADERS = new Set<string>(Object.values(DeadLetterHeaders).map((h) => h.toLowerCase()));

function view(m: StoredMsg): DeadLetter {
  const h = (name: string) => m.header.get(name);
  return {
    id: String(m.seq),
    consumer: h(DeadLetterHeaders.consumer),
    reason: h(DeadLetterHeaders.reason),
    originalStream: h(DeadLetterHeaders.stream),
    originalSubject: h(DeadLetterHeaders.subject),
    originalSequence: Number(h(DeadLetterHeaders.sequence)),
    deliveries: Number(h(DeadLetterHeaders.deliveries)),
    deadLetteredAt: m.time.toISOString(),
    payload: Buffer.from(m.data).toString('utf8'),
  };
}

/**
 * What the services gave up on, read straight from the dead-letter stream, and a way to send a
 * message back to its original subject once the cause is fixed.
 */
@ApiTags('admin')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 503)
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  private async manager() {
    try {
      return await jetstreamManager(this.nc, { timeout: 5_000 });
    } catch (error) {
      throw new BrokerUnavailable(`dead letters unreadable: ${(error as Error).message}`);
    }
  }

  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new BrokerUnavailable(`dead letters unreadable: ${(error as Error).message}`);
    }
  }

  @Get()
  @Allow('admin')
  @ApiOperation({ operationId: 'listDeadLetters', summary: 'List dead letters' })
  @ApiOkResponse({ type: DeadLetterPage, description: 'Oldest first' })
  async list(@Query() query: DeadLettersQuery): Promise<DeadLetterPage> {
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const jsm = await this.manager();
    const { state } = await this.read(() => jsm.streams.info(StreamNames.deadLetters));
    const items: DeadLetter[] = [];
    // Replayed letters leave gaps in the sequence; they are skipped.
    let seq = Math.max((query.cursor ?? 0) + 1, state.first_seq);
    for (; seq <= state.last_seq && items.length < limit; seq++) {
      const letter = await this.read(() => jsm.streams.getMessage(StreamNames.deadLetters, { seq }));
      if (letter) items.push(view(letter));
    }
    const more = items.length === limit && seq <= state.last_seq;
    return { items, nextCursor: more ? items[items.length - 1].id : null };
  }

  @Post(':id/replay')
  @ApiDeadLetterIdParam()
  @HttpCode(202)
  @Allow('admin')
  @ApiOperation({ operationId: 'replayDeadLetter', summary: 'Replay a dead letter to its original subject' })
  @ApiAcceptedResponse({
    type: ReplayAccepted,
    description:
      'Published again to its original subject (deduplicated per dead letter), then removed from the list',
  })
  @Audited('dead-letter.replay', pathId('dead-letter'))
  async replay(@Param('id') id: string): Promise<ReplayAccepted> {
    if (!/^\d{1,15}$/.test(id))
      throw new BadRequestException(`"${id.slice(0, 40)}" is not a dead-letter id.`);
    const jsm = await this.manager();
    const letter = await this.read(() =>
      jsm.streams.getMessage(StreamNames.deadLetters, { seq: Number(id) }),
    );
    if (!letter) throw new NotFoundException(`Dead letter ${id} was not found.`);
    const subject = letter.header.get(DeadLetterHeaders.subject);
    const h = natsHeaders();
    for (const key of letter.header.keys()) {
      if (!DLQ_HEADERS.has(key.toLowerCase())) h.set(key, letter.header.get(key));
    }
    try {
      await jsm
        .jetstream()
        .publish(subject, letter.data, { headers: h, msgID: `replay:${StreamNames.deadLetters}:${id}` });
      await jsm.streams.deleteMessage(StreamNames.deadLetters, Number(id), false);
    } catch (error) {
      throw new BrokerUnavailable(`replay of dead letter ${id} failed: ${(error as Error).message}`);
    }
    return { id, subject };
  }
}
