import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { DomainEvent, EndSession, RotateSession, StartSession, TokensRevokedData } from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';
import { tokensRevoked } from './people.handlers';

/**
 * Where agents are signed in. A refresh token is used once: the session then holds its successor.
 * One presented again after it was replaced was copied (or stolen), so every session of the agent
 * ends and their tokens are revoked, the thief's and the agent's alike.
 */
@Controller()
export class SessionsHandlers {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(StartSession)
  handleStartSession(@Payload() cmd: StartSession, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.startSession(unit, cmd));
  }

  @HandleCommand(RotateSession)
  handleRotateSession(@Payload() cmd: RotateSession, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.rotateSession(unit, cmd));
  }

  @HandleCommand(EndSession)
  handleEndSession(@Payload() cmd: EndSession, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.endSession(unit, cmd));
  }

  async startSession(unit: UnitOfWork, cmd: StartSession): Promise<[]> {
    await unit.people.startSession(cmd);
    return [];
  }

  async rotateSession(unit: UnitOfWork, cmd: RotateSession): Promise<DomainEvent<TokensRevokedData>[]> {
    const session = await unit.people.lockSession(cmd.sessionId);
    if (!session || session.agentId !== cmd.agentId) throw new PermanentFailure('No such session.', 401);
    if (session.refreshHash === cmd.refreshHash) return []; // applied already: a redelivery
    if (session.replacedHashes.includes(cmd.presentedHash)) {
      await unit.people.endSessions(cmd.agentId, undefined, cmd.acceptedAt);
      return [tokensRevoked(cmd.agentId, await unit.people.revokeTokens(cmd.agentId), cmd.acceptedAt)];
    }
    if (session.ended || session.refreshHash !== cmd.presentedHash)
      throw new PermanentFailure('This refresh token is not valid.', 401);
    await unit.people.rotateSession(cmd.sessionId, cmd.presentedHash, cmd.refreshHash, cmd.acceptedAt);
    return [];
  }

  async endSession(unit: UnitOfWork, cmd: EndSession): Promise<[]> {
    await unit.people.endSessions(cmd.agentId, cmd.sessionId, cmd.acceptedAt);
    return [];
  }
}
