import { ConflictException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import {
  ConversationView,
  ID_PATTERN,
  Principal,
  QuerySubjects,
  RateConversation,
  RatingChannel,
} from '@parley/contracts';
import { JetStreamPublisher } from '@parley/jetstream';
import { SERVICE_CONFIG } from '@parley/runtime';
import { InvalidLink, LinkSigner } from '@parley/secrets';
import { CommandEndpoint } from '../api/command-endpoint';
import { Write } from '../api/write';
import { GatewayEnv } from '../gateway.env';

/** What a rating link in an email is signed for (libs/secrets), with `{conversationId}`. */
export const RATING_LINK_PURPOSE = 'rate conversation';

/** Who may read any conversation: the email link's rating is checked with it, then sent as the customer's. */
const GATEWAY: Principal = { id: 'admin', role: 'admin' };

export interface Rating {
  score: number;
  comment?: string;
}

/** The answer to a rating: 202 names the conversation; `Prefer: wait` answers it as rated. */
export type RatingAnswer = { conversationId: string } | (ConversationView & { conversationId: string });

/**
 * Ratings of resolved conversations, given by their customer in the widget or through the signed
 * link of an email (no session: the link is the capability).
 */
@Injectable()
export class ConversationRatings {
  private readonly links: LinkSigner;

  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    @Inject(SERVICE_CONFIG) config: GatewayEnv,
  ) {
    this.links = LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY);
  }

  /** The conversation a rating link names; 401 for one altered, made for something else, or expired. */
  conversationOfLink(token: string): string {
    try {
      const { conversationId } = this.links.verify<{ conversationId?: unknown }>(RATING_LINK_PURPOSE, token);
      if (typeof conversationId === 'string' && ID_PATTERN.test(conversationId)) return conversationId;
    } catch (error) {
      if (!(error instanceof InvalidLink)) throw error;
    }
    throw new UnauthorizedException('This rating link is not valid (altered, or more than 30 days old).');
  }

  /** The conversation as `viewer` may see it (404 otherwise), if resolved: 409 until it is. */
  async resolved(conversationId: string, viewer: Principal = GATEWAY): Promise<ConversationView> {
    const conversation = await this.publisher.query<ConversationView>(QuerySubjects.conversation, {
      principal: viewer,
      conversationId,
    });
    if (conversation.status !== 'resolved') {
      throw new ConflictException(
        `The conversation is ${conversation.status}: a conversation is rated once it is resolved.`,
      );
    }
    return conversation;
  }

  /** Sends the rating as the conversation's customer (`write`'s principal). */
  rate(write: Write, conversationId: string, rating: Rating, via: RatingChannel): Promise<RatingAnswer> {
    const customer = write.principal;
    return this.commands.change(
      write,
      {
        type: RateConversation,
        body: { conversationId, score: rating.score, comment: rating.comment, via },
        msgId: write.allocate(),
      },
      {
        accepted: { conversationId },
        applied: async () => ({
          ...(await this.publisher.query<ConversationView>(QuerySubjects.conversation, {
            principal: customer,
            conversationId,
          })),
          conversationId,
        }),
      },
    );
  }
}
