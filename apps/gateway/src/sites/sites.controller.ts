import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  Param,
  Post,
  Put,
  Query,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import {
  ConfigureSite,
  Page,
  Principal,
  QuerySubjects,
  RegisterSite,
  RotateSiteSecret,
  SetAnonymousVisitors,
  SiteAvailability,
  SiteAvailabilityQuery,
  SiteConfiguredData,
  SiteSettingsQuery,
  SiteView,
} from '@parley/contracts';
import { JetStreamPublisher, QueryRejected } from '@parley/jetstream';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { SITE_CURSOR } from '../api/examples';
import { IdParam } from '../api/id-param.pipe';
import { customerIdFor } from '../api/ids';
import { PageQuery, pageOf } from '../api/paging';
import { ApiListCursor, ApiSiteIdParam } from '../api/params.doc';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Write } from '../api/write';
import { Allow, CurrentPrincipal } from '../auth/auth';
import { answerId, Audited, pathId } from '../audit/audited';
import { CustomerIdentity, CustomerRegistration } from '../people/customer-registration';
import { CreateCustomerRequest, PrincipalCreated } from '../people/people.dto';
import {
  IDENTITY_TOKEN_AUDIENCE,
  IDENTITY_TOKEN_MAX_LIFETIME_SECONDS,
  verifyIdentityToken,
  VerifiedVisitor,
} from './identity-token';
import { SiteDirectory, SiteKey, SITE_SECRET_CACHE_MS } from './site-directory';
import {
  AnonymousVisitors,
  AnonymousVisitorsRequest,
  CreateSiteRequest,
  DEFAULT_SITE_SETTINGS,
  SiteAvailabilityItem,
  SitePage,
  SiteSecret,
  SiteSettings,
  SiteSettingsAccepted,
  SiteSettingsRequest,
} from './sites.dto';

/** Where an anonymous visitor's externalId starts: Parley makes these, a business never needs to. */
const ANONYMOUS_PREFIX = 'anonymous:';

/** The identity token's claims that name the customer, by the field they become. */
const CLAIM_OF: Record<string, string> = { externalId: 'sub', name: 'name', email: 'email', timeZone: 'tz' };

@ApiTags('sites')
@ApiProblems(400, 401, 403, 404, 413, 503)
@Controller('v1/sites')
export class SitesController {
  constructor(
    private readonly commands: CommandEndpoint,
    private readonly publisher: JetStreamPublisher,
    private readonly directory: SiteDirectory,
    private readonly customers: CustomerRegistration,
    private readonly jwt: JwtService,
  ) {}

  @Post()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'createSite',
    summary: 'Register a site that embeds the widget, and issue its identity-verification secret',
  })
  @AcceptedAnswer(SiteSecret, 'The secret is shown only here; rotating it issues a new one')
  @ApiPreferWait(SiteSecret, 'With `Prefer: wait=N`: registered; its visitors can be signed in')
  @Audited('site.register', answerId('site'), {
    details: ({ body }) => ({ allowAnonymous: (body as CreateSiteRequest).allowAnonymous ?? false }),
  })
  create(@Body() body: CreateSiteRequest, @CurrentWrite() write: Write): Promise<SiteSecret> {
    // No Idempotency-Key: a retry would be answered a secret other than the one kept.
    const siteId = write.allocate();
    const { secret, sealedSecret } = this.directory.newSecret();
    const command = { siteId, name: body.name, allowAnonymous: body.allowAnonymous ?? false, sealedSecret };
    return this.commands.confirm(
      write,
      { type: RegisterSite, body: command, msgId: siteId },
      { id: siteId, secret },
      201,
    );
  }

  @Get()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({ operationId: 'listSites', summary: 'List sites' })
  @ApiOkResponse({ type: SitePage, description: 'By id; secrets are never listed' })
  @ApiListCursor(SITE_CURSOR)
  list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<Page<SiteView>> {
    return this.publisher.query(QuerySubjects.sites, { principal, ...pageOf(query) });
  }

  @Post(':id/secret/rotate')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'rotateSiteSecret',
    summary: "Replace a site's identity-verification secret",
    description: `The old secret stops verifying, and the new one starts, on every gateway within ${SITE_SECRET_CACHE_MS / 1000} s of the rotation being applied.`,
  })
  @AcceptedAnswer(SiteSecret, 'The new secret is shown only here')
  @ApiPreferWait(SiteSecret, 'With `Prefer: wait=N`: applied', 200)
  @Audited('site.secret-rotate', pathId('site'))
  async rotate(@Param('id', IdParam) siteId: string, @CurrentWrite() write: Write): Promise<SiteSecret> {
    await this.directory.keyOf(siteId);
    const { secret, sealedSecret } = this.directory.newSecret();
    return this.commands.confirm(
      write,
      { type: RotateSiteSecret, body: { siteId, sealedSecret }, msgId: write.allocate() },
      { id: siteId, secret },
    );
  }

  @Post(':id/anonymous-visitors')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'setAnonymousVisitors',
    summary: "Let a site's anonymous visitors in, or not",
    description: `Every gateway follows within ${SITE_SECRET_CACHE_MS / 1000} s of the change being applied; customers already given a token keep it.`,
  })
  @AcceptedAnswer(AnonymousVisitors)
  @ApiPreferWait(AnonymousVisitors, 'With `Prefer: wait=N`: applied', 200)
  @Audited('site.anonymous-visitors', pathId('site'), {
    details: ({ body }) => ({ allowAnonymous: (body as AnonymousVisitorsRequest).allowAnonymous }),
  })
  async anonymousVisitors(
    @Param('id', IdParam) siteId: string,
    @Body() body: AnonymousVisitorsRequest,
    @CurrentWrite() write: Write,
  ): Promise<AnonymousVisitors> {
    await this.directory.keyOf(siteId);
    const command = { siteId, allowAnonymous: body.allowAnonymous };
    return this.commands.confirm(
      write,
      { type: SetAnonymousVisitors, body: command, msgId: write.allocate() },
      { id: siteId, allowAnonymous: body.allowAnonymous },
    );
  }

  @Put(':id/settings')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({
    operationId: 'configureSite',
    summary: "Set a site's business hours, expected reply time, email delay and automatic reply",
    description:
      'Replaces every setting; a field left out takes its default. The widget shows availability from these, and the conversation service sends the automatic reply by them.',
  })
  @AcceptedAnswer(SiteSettingsAccepted)
  @ApiPreferWait(SiteSettings, 'With `Prefer: wait=N`: applied, as `GET …/settings` now shows it', 200)
  @Audited('site.configure', pathId('site'), {
    // Which settings were given, not what they say (an automatic reply is the business's text).
    details: ({ body }) => ({ fields: Object.keys(body as SiteSettingsRequest).sort() }),
  })
  async configure(
    @Param('id', IdParam) siteId: string,
    @Body() body: SiteSettingsRequest,
    @CurrentWrite() write: Write,
  ): Promise<SiteSettingsAccepted | SiteConfiguredData> {
    await this.directory.keyOf(siteId);
    return this.commands.change(
      write,
      { type: ConfigureSite, body: { ...DEFAULT_SITE_SETTINGS, ...body, siteId }, msgId: write.allocate() },
      { accepted: { siteId }, applied: () => this.settings(siteId) },
    );
  }

  @Get(':id/settings')
  @ApiSiteIdParam()
  @ApiBearerAuth()
  @Allow('admin')
  @ApiOperation({ operationId: 'getSiteSettings', summary: "A site's business hours and what it promises" })
  @ApiOkResponse({ type: SiteSettings })
  settings(@Param('id', IdParam) siteId: string): Promise<SiteConfiguredData> {
    const query: SiteSettingsQuery = { siteId };
    return this.publisher.query(QuerySubjects.siteSettings, query);
  }

  @Get(':id/availability')
  @ApiSiteIdParam()
  @ApiOperation({
    operationId: 'getSiteAvailability',
    security: [],
    summary: 'Whether the team is in, when it is back, and how soon it usually replies',
    description:
      'What the widget shows before its visitor signs in, so no token is needed (requests count against the address’s rate limit).',
  })
  @ApiOkResponse({ type: SiteAvailabilityItem })
  availability(@Param('id', IdParam) siteId: string): Promise<SiteAvailability> {
    const query: SiteAvailabilityQuery = { siteId };
    return this.publisher.query(QuerySubjects.siteAvailability, query);
  }

  @Post(':id/customers/token')
  @ApiSiteIdParam()
  // The bearer, if any, is the site's identity token, not a Parley token: optional, hence `{}`.
  @ApiBearerAuth()
  @ApiSecurity({})
  @ApiOperation({
    operationId: 'signInSiteVisitor',
    summary: "Exchange a site's identity token for a customer token",
    description: `What the widget calls. The bearer token is an identity token: an HS256 JWT the site's backend signed with the site's secret (its UTF-8 bytes), with \`sub\` (the business's own id for the user: the customer's externalId), optional \`name\`, \`email\` and \`tz\` (the user's IANA time zone), \`iss\` the site id, \`aud\` "${IDENTITY_TOKEN_AUDIENCE}" and \`exp\` at most ${IDENTITY_TOKEN_MAX_LIFETIME_SECONDS} s ahead. Creates or updates the customer it names (the same \`sub\` always answers the same customer) and issues the customer's token, which names the site: conversations opened with it are the site's (its business hours, automatic reply and ratings). Without a bearer token, where the site allows anonymous visitors, a new anonymous customer. A forged, expired or other site's token, one without \`exp\`, none where the site does not allow anonymous visitors, or a site that does not exist, is refused with 401.`,
  })
  @AcceptedAnswer(PrincipalCreated)
  @ApiPreferWait(PrincipalCreated, 'With `Prefer: wait=N`: the customer is registered')
  async customerToken(
    @Param('id', IdParam) siteId: string,
    @Headers('authorization') authorization: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PrincipalCreated> {
    const site = await this.directory.keyOf(siteId).catch((error: unknown) => {
      // Nobody signs in to a site that does not exist: a 401 like any other refusal here.
      if (error instanceof QueryRejected && error.status === 404)
        throw new UnauthorizedException(`There is no site ${siteId} to sign in to.`);
      throw error;
    });
    const customer =
      authorization === undefined ? anonymousVisitor(site) : this.signedIn(site, authorization);
    const principal: Principal = { id: customerIdFor(customer.externalId), role: 'customer' };
    const write = new Write(principal, `POST /v1/sites/${siteId}/customers/token`, undefined, prefer, reply);
    return this.customers.register(write, customer, siteId);
  }

  private signedIn(site: SiteKey, authorization: string): CustomerIdentity {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization);
    if (!match)
      throw new UnauthorizedException('The identity token goes in `Authorization: Bearer <token>`.');
    return customerNamedBy(verifyIdentityToken(this.jwt, match[1], site));
  }
}

function anonymousVisitor(site: SiteKey): CustomerIdentity {
  if (!site.allowAnonymous) {
    throw new UnauthorizedException(
      'This site signs its visitors in: send the identity token its backend signed as the bearer token.',
    );
  }
  return { externalId: `${ANONYMOUS_PREFIX}${uuidv7()}` };
}

/** The customer a verified token names, held to the rules of a customer the admin creates. */
function customerNamedBy(claims: VerifiedVisitor): CustomerIdentity {
  const customer = plainToInstance(CreateCustomerRequest, {
    externalId: claims.sub,
    name: claims.name,
    email: claims.email,
    timeZone: claims.tz,
  });
  const [error] = validateSync(customer, { validationError: { target: false, value: false } });
  if (error) {
    const messages = Object.values(error.constraints ?? {}).join('; ');
    throw new BadRequestException(`The identity token's ${CLAIM_OF[error.property]} claim: ${messages}.`);
  }
  if (customer.externalId.startsWith(ANONYMOUS_PREFIX))
    throw new BadRequestException(
      `The identity token's sub claim may not start with "${ANONYMOUS_PREFIX}": those are Parley's anonymous visitors.`,
    );
  return {
    externalId: customer.externalId,
    name: customer.name,
    email: customer.email,
    timeZone: customer.timeZone,
  };
}
