import { Inject, Injectable } from '@nestjs/common';
import { RegisterCustomer } from '@parley/contracts';
import { SERVICE_CONFIG } from '@parley/runtime';
import { LinkSigner } from '@parley/secrets';
import { CommandEndpoint } from '../api/command-endpoint';
import { customerIdFor } from '../api/ids';
import { Write } from '../api/write';
import { TokenService } from '../auth/auth';
import { GatewayEnv } from '../gateway.env';
import { CreateCustomerRequest, PrincipalCreated } from './people.dto';

/** Who a customer is, as the admin or a site's backend names them. */
export type CustomerIdentity = Pick<CreateCustomerRequest, 'externalId' | 'name' | 'email' | 'timeZone'>;

/**
 * Registers a customer, or updates their name, email and time zone, and issues their token: for the admin
 * (`POST /v1/customers`) and for a site's visitors (`POST /v1/sites/{id}/customers/token`).
 */
@Injectable()
export class CustomerRegistration {
  private readonly signer: LinkSigner;

  constructor(
    private readonly commands: CommandEndpoint,
    private readonly tokens: TokenService,
    @Inject(SERVICE_CONFIG) config: GatewayEnv,
  ) {
    this.signer = LinkSigner.fromKeyRing(config.PARLEY_SECRET_KEY);
  }

  /** `siteId`: the site whose widget signs the customer in, carried by their token. */
  register(write: Write, customer: CustomerIdentity, siteId?: string): Promise<PrincipalCreated> {
    // The id is a function of externalId, and the command's id of what it says, so this is
    // idempotent without a key. Keyed: the id is stored with the command, and an unkeyed hash of a
    // name and an email would let anyone holding the stream test guesses of them (ADR 13).
    const customerId = customerIdFor(customer.externalId);
    const version = this.signer.tag(
      'customer registration',
      JSON.stringify([customer.name, customer.email, ...(customer.timeZone ? [customer.timeZone] : [])]),
      43,
    );
    const created = {
      id: customerId,
      token: this.tokens.issue({ id: customerId, role: 'customer', ...(siteId && { siteId }) }),
    };
    return this.commands.confirm(
      write,
      { type: RegisterCustomer, body: { ...customer, customerId }, msgId: `${customerId}:${version}` },
      created,
      201,
    );
  }
}
