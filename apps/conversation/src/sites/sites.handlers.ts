import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  ConfigureSite,
  DomainEvent,
  eventId,
  EventTypes,
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
  SiteConfiguredData,
} from '@parley/contracts';
import { HandleCommand, JetStreamContext, PermanentFailure } from '@parley/jetstream';
import { CommandTransaction } from '../events/command-transaction';
import type { UnitOfWork } from '../events/unit-of-work';

/**
 * Sites being registered, configured, their secrets rotated and anonymous visitors let in or not.
 * A registration and each configuration emit `site.configured` with the whole of the settings (the
 * mail service follows them); secrets and anonymous visitors concern only the gateway, which asks.
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

  @HandleCommand(ConfigureSite)
  handleConfigureSite(@Payload() cmd: ConfigureSite, @Ctx() ctx: JetStreamContext): Promise<void> {
    return this.tx.run(ctx, (unit, cause) => this.configure(unit, cmd, cause));
  }

  /**
   * The site id is fresh per request, so a site registered under it already is this one, retried.
   * A new site is announced with the default settings.
   */
  async registerSite(unit: UnitOfWork, cmd: RegisterSite): Promise<DomainEvent<SiteConfiguredData>[]> {
    if (!(await unit.sites.register(cmd))) return [];
    return this.configured(unit, cmd.siteId, eventId(EventTypes.siteConfigured, cmd.siteId), cmd.acceptedAt);
  }

  async configure(
    unit: UnitOfWork,
    cmd: ConfigureSite,
    cause: string,
  ): Promise<DomainEvent<SiteConfiguredData>[]> {
    if (!(await unit.sites.configure(cmd))) throw new PermanentFailure(`site ${cmd.siteId} does not exist`);
    const id = `${eventId(EventTypes.siteConfigured, cmd.siteId)}:${cause}`;
    return this.configured(unit, cmd.siteId, id, cmd.acceptedAt);
  }

  private async configured(
    unit: UnitOfWork,
    siteId: string,
    id: string,
    occurredAt: string,
  ): Promise<DomainEvent<SiteConfiguredData>[]> {
    const data = await unit.sites.settings(siteId);
    if (!data) throw new PermanentFailure(`site ${siteId} does not exist`);
    return [{ id, type: EventTypes.siteConfigured, occurredAt, data }];
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
