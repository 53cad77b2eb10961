import { BadRequestException } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import type { FastifyReply } from 'fastify';
import {
  ChangeStatus,
  OpenConversation,
  type PrecheckQuery,
  type Principal,
  TransferConversation,
} from '@parley/contracts';
import type { ContentSeal, JetStreamPublisher } from '@parley/jetstream';
import { CommandEndpoint } from '../api/command-endpoint';
import type { CommandSender } from '../api/command-sender';
import { PreferWaitCoordinator } from '../api/prefer-wait';
import { Write } from '../api/write';
import { DEV_SECRET_KEY } from '@parley/runtime';
import type { GatewayEnv } from '../gateway.env';
import type { ConversationPrecheck } from './conversation-precheck';
import { ConversationRatings } from './conversation-ratings';
import { ConversationsController } from './conversations.controller';
import { OpenConversationRequest, StatusRequest, TransferRequest } from './conversations.dto';
import { AttachmentLinks } from '../attachments/attachment-links';
import { StoredEntries } from './stored-entries';

const customer: Principal = { id: 'cu-1', role: 'customer' };
const agent: Principal = { id: 'ag-1', role: 'agent' };

/** The controller with what it sends and prechecks recorded (no `Prefer: wait`: answers are 202s). */
function conversations() {
  const steps: string[] = [];
  const sent: Array<{ subject: string; body: object; msgId: string }> = [];
  const sender = {
    send: async (type: { subject: string }, body: object, _by: Principal, msgId: string) => {
      steps.push(`send ${type.subject}`);
      sent.push({ subject: type.subject, body, msgId });
      return { duplicate: false, seq: 1, stream: 'PARLEY_COMMANDS', domain: '' };
    },
  } as unknown as CommandSender;
  const precheck = {
    check: async (query: PrecheckQuery) => void steps.push(`precheck ${JSON.stringify(query)}`),
  } as unknown as ConversationPrecheck;
  const publisher = {} as JetStreamPublisher;
  const config = { PARLEY_SECRET_KEY: DEV_SECRET_KEY, PARLEY_ATTACHMENT_URL_TTL_SECONDS: 300 } as GatewayEnv;
  const commands = new CommandEndpoint(
    sender,
    new PreferWaitCoordinator({} as NatsConnection, {} as ContentSeal),
  );
  const controller = new ConversationsController(
    commands,
    publisher,
    precheck,
    new StoredEntries(commands, publisher, new AttachmentLinks(config)),
    new ConversationRatings(commands, publisher, config),
  );
  return { controller, sent, steps };
}

const write = (principal: Principal, route: string, key?: string) =>
  new Write(principal, route, key, undefined, {} as FastifyReply);

const body = <T extends object>(type: new () => T, fields: Partial<T>): T =>
  Object.assign(new type(), fields);

describe('ConversationsController', () => {
  it('opens a conversation with the request’s fields, priority normal unless given', async () => {
    const { controller, sent } = conversations();
    const opened = await controller.open(
      body(OpenConversationRequest, { subject: 'Order', body: 'Where is it?' }),
      write(customer, 'POST /v1/conversations', 'k1'),
    );
    const again = write(customer, 'POST /v1/conversations', 'k1');
    expect(opened).toEqual({ id: again.allocate(), messageId: again.allocate() });
    expect(sent).toEqual([
      {
        subject: OpenConversation.subject,
        msgId: opened.id,
        body: {
          conversationId: opened.id,
          messageId: (opened as { messageId: string }).messageId,
          subject: 'Order',
          body: 'Where is it?',
          priority: 'normal',
        },
      },
    ]);
  });

  it('prechecks a change before it sends it, and answers with the conversation id', async () => {
    const { controller, sent, steps } = conversations();
    await expect(
      controller.status(
        'c-1',
        body(StatusRequest, { status: 'resolved' }),
        write(agent, 'POST /v1/conversations/c-1/status'),
      ),
    ).resolves.toEqual({ conversationId: 'c-1' });
    expect(steps).toEqual([
      `precheck ${JSON.stringify({ conversationId: 'c-1', principal: agent })}`,
      `send ${ChangeStatus.subject}`,
    ]);
    expect(sent[0].body).toEqual({ conversationId: 'c-1', status: 'resolved' });
  });

  it('refuses a snooze without a time to wake before it prechecks', async () => {
    const { controller, steps } = conversations();
    await expect(
      controller.status(
        'c-1',
        body(StatusRequest, { status: 'snoozed' }),
        write(agent, 'POST /v1/conversations/c-1/status'),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    expect(steps).toEqual([]);
  });

  it('transfers to the calling agent for `me`, recorded under the allocated entry id', async () => {
    const { controller, sent } = conversations();
    const accepted = await controller.transfer(
      'c-1',
      body(TransferRequest, { agentId: 'me', reason: 'Billing' }),
      write(agent, 'POST /v1/conversations/c-1/transfer'),
    );
    expect(sent).toEqual([
      {
        subject: TransferConversation.subject,
        msgId: (accepted as { id: string }).id,
        body: {
          conversationId: 'c-1',
          transferId: (accepted as { id: string }).id,
          agentId: agent.id,
          reason: 'Billing',
        },
      },
    ]);
  });
});
