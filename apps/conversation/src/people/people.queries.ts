import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AgentCredentialsQuery,
  AgentCredentialsView,
  AgentInviteQuery,
  AgentInviteView,
  AgentSessionQuery,
  AgentSessionState,
  AgentSessionsQuery,
  CARD_CONVERSATIONS_MAX,
  CustomerCard,
  CustomerQuery,
  QuerySubjects,
  SessionView,
} from '@parley/contracts';
import { AnswerQuery, QueryRejected } from '@parley/jetstream';
import { DataSource } from 'typeorm';
import { PeopleRepository } from './people.repository';

/** What the gateway reads to let an agent set a password and sign in, and a customer's card. */
@Controller()
export class PeopleQueries {
  private readonly people: PeopleRepository;

  constructor(db: DataSource) {
    this.people = new PeopleRepository(db);
  }

  @AnswerQuery(QuerySubjects.agentInvite)
  async invite(@Payload() q: AgentInviteQuery): Promise<AgentInviteView> {
    const invite = await this.people.invite(q.inviteHash);
    if (!invite) throw new QueryRejected(404, 'Not found', 'This invite does not exist.');
    return invite;
  }

  @AnswerQuery(QuerySubjects.agentCredentials)
  async credentials(@Payload() q: AgentCredentialsQuery): Promise<AgentCredentialsView> {
    const credentials = await this.people.credentials(q.email);
    if (!credentials) throw new QueryRejected(404, 'Not found', 'No agent signs in with this email.');
    return credentials;
  }

  @AnswerQuery(QuerySubjects.agentSession)
  async session(@Payload() q: AgentSessionQuery): Promise<AgentSessionState> {
    const session = await this.people.session(q.sessionId);
    if (!session) throw new QueryRejected(404, 'Not found', 'This session does not exist.');
    return session;
  }

  @AnswerQuery(QuerySubjects.agentSessions)
  sessions(@Payload() q: AgentSessionsQuery): Promise<SessionView[]> {
    return this.people.sessions(q.agentId);
  }

  /** Who the customer is, what the business set about them, and their latest conversations. */
  @AnswerQuery(QuerySubjects.customer)
  async customer(@Payload() q: CustomerQuery): Promise<CustomerCard> {
    const card = await this.people.customerCard(q.customerId, CARD_CONVERSATIONS_MAX);
    if (!card) throw new QueryRejected(404, 'Not found', `Customer ${q.customerId} was not found.`);
    return card;
  }
}
