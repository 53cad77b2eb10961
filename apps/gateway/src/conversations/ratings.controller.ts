import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AcceptedAnswer } from '../api/command-endpoint';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { Write } from '../api/write';
import { ConversationRatings, RatingAnswer } from './conversation-ratings';
import { ConversationChangeAccepted, ChangedConversation, LinkRatingRequest } from './conversations.dto';

/** Ratings from the link of an email: the signed token in the body stands in for a session. */
@ApiTags('conversations')
@ApiProblems(400, 401, 404, 409, 413, 503)
@Controller('v1/ratings')
export class RatingsController {
  constructor(private readonly ratings: ConversationRatings) {}

  @Post()
  @ApiOperation({
    operationId: 'rateByLink',
    security: [],
    summary: 'Rate a resolved conversation through the link of an email',
    description:
      "No bearer token: `token` is the rating link's (`?rate=<token>` of the widget URL the email links to), signed for the conversation and valid for 30 days. An altered, foreign or expired token is refused with 401; a conversation that is not resolved with 409. The rating counts as the conversation's customer's and replaces an earlier one. Opening the link changes nothing: the widget shows the form and sends this.",
  })
  @AcceptedAnswer(ConversationChangeAccepted)
  @ApiPreferWait(ChangedConversation, 'With `Prefer: wait=N`: the conversation with its rating', 200)
  @ApiProblems(410)
  async rate(
    @Body() body: LinkRatingRequest,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RatingAnswer> {
    const conversationId = this.ratings.conversationOfLink(body.token);
    const conversation = await this.ratings.resolved(conversationId);
    const customer = { id: conversation.customerId, role: 'customer' as const };
    const write = new Write(customer, 'POST /v1/ratings', undefined, prefer, reply);
    return this.ratings.rate(write, conversationId, body, 'email');
  }
}
