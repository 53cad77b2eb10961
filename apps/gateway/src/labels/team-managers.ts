import { ForbiddenException, Injectable } from '@nestjs/common';
import { AgentRole, AgentRoleQuery, Principal, QuerySubjects } from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';

/**
 * Who manages what the whole team shares (labels, the team's saved replies): admins and
 * supervisors. A supervisor's token says only `agent`, so the conversation service, which keeps
 * agents' roles, is asked.
 */
@Injectable()
export class TeamManagers {
  constructor(private readonly publisher: JetStreamPublisher) {}

  async check(principal: Principal, what: string): Promise<void> {
    if (principal.role === 'admin') return;
    const query: AgentRoleQuery = { principal, agentId: principal.id };
    const { role } = await this.publisher.query<{ role: AgentRole }>(QuerySubjects.agentRole, query);
    if (role !== 'admin' && role !== 'supervisor')
      throw new ForbiddenException(`Only admins and supervisors ${what}.`);
  }
}
