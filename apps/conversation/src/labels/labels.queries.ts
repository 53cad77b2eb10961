import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { AgentRole, AgentRoleQuery, LabelsQuery, LabelView, Page, QuerySubjects } from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { decodeKeyset, encodeKeyset } from '../conversations/keyset-cursor';
import { LabelsRepository } from './labels.repository';

@Controller()
export class LabelsQueries {
  private readonly labels: LabelsRepository;

  constructor(private readonly db: DataSource) {
    this.labels = new LabelsRepository(db);
  }

  @AnswerQuery(QuerySubjects.labels)
  async list(@Payload() q: LabelsQuery): Promise<Page<LabelView>> {
    if (q.id) {
      const label = await this.labels.one(q.id);
      if (!label) throw new QueryRejected(404, 'Not found', `Label ${q.id} was not found.`);
      return { items: [label], nextCursor: null };
    }
    if (q.name !== undefined) {
      const label = await this.labels.named(q.name);
      return { items: label ? [label] : [], nextCursor: null };
    }
    const after = q.cursor ? (decodeKeyset(q.cursor, ['string', 'string']) as [string, string]) : undefined;
    const rows = await this.labels.list(after, q.limit + 1);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeKeyset([last.name.toLowerCase(), last.id]) : null,
    };
  }

  /** Whether an agent may define labels and write the team's saved replies: the gateway asks. */
  @AnswerQuery(QuerySubjects.agentRole)
  async agentRole(@Payload() q: AgentRoleQuery): Promise<{ role: AgentRole }> {
    const [row]: Array<{ role: AgentRole }> = await this.db.query(
      'SELECT role FROM conversation.agents WHERE id = $1',
      [q.agentId],
    );
    if (!row) throw new QueryRejected(404, 'Not found', `Agent ${q.agentId} was not found.`);
    return row;
  }
}
