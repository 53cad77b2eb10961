import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { InboxQuery, QuerySubjects } from '@parley/contracts';
import { AnswerQuery } from '@parley/jetstream';
import { Inbox } from './inbox';

@Controller()
export class InboxQueriesHandler {
  constructor(private readonly inbox: Inbox) {}

  @AnswerQuery(QuerySubjects.inbox)
  page(@Payload() query: InboxQuery) {
    return this.inbox.page(query);
  }
}
