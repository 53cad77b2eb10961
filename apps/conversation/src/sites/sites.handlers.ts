import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { RegisterSite, RotateSiteSecret, SetAnonymousVisitors } from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';

/**
 * Sites being registered, their secrets rotated and anonymous visitors let in or not. Nothing else in Parley follows a site, so these
 * emit no events; a client waiting with `Prefer: wait` is told when each is applied.
 */
@Controller()
export class SitesHandlers {
  constructor(private readonly tx: CommandTransaction) {}

  @HandleCommand(RegisterSite)
  handleRegisterSite(@Payload() cmd: RegisterSite, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.registerSite(unit, cmd));
  }

  @HandleCommand(RotateSiteSecret)
  handleRotateSiteSecret(@Payload() cmd: RotateSiteSecret, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit) => this.rotateSecret(unit, cmd));
  }

  @HandleCommand(SetAnonymousVisitors)
  handleSetAnonymousVisitors(
    @Payload() cmd: SetAnonymousVisitors,
    @Ctx() ctx: JetStreamContext,
  ): Promise<void> {
    return this.tx.run(ctx, (unit) => this.setAnonymousVisitors(unit, cmd));
  }

  /** The site id is fresh per request, so a site registered under it already is this one, retried. */
  async registerSite(unit: UnitOfWork, cmd: RegisterSite): Promise<[]> {
    await unit.sites.register(cmd);
    return [];
  }

  async rotateSecret(unit: UnitOfWork, cmd: RotateSiteSecret): Promise<[]> {
    if (!(await unit.sites.rotateSecret(cmd)))
      throw new PermanentFailure(`site ${cmd.siteId} does not exist`);
    return [];
  }

  async setAnonymousVisitors(unit: UnitOfWork, cmd: SetAnonymousVisitors): Promise<[]> {
    if (!(await unit.sites.setAnonymousVisitors(cmd)))
      throw new PermanentFailure(`site ${cmd.siteId} does not exist`);
    return [];
  }
}
