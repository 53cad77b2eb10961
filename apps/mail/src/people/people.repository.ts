import { Injectable } from '@nestjs/common';
import { AgentRegisteredData, CustomerRegisteredData, SiteConfiguredData } from '@parley/contracts';
import { EntityManager } from 'typeorm';

export interface Customer {
  id: string;
  name: string | null;
  email: string | null;
  unsubscribed: boolean;
}

export interface Site {
  id: string;
  name: string;
  notifyDelaySeconds: number;
  conversationUrl: string | null;
}

/** The people and sites mail writes to and about, as their events describe them. */
@Injectable()
export class PeopleRepository {
  async saveCustomer(m: EntityManager, data: CustomerRegisteredData): Promise<void> {
    await m.query(
      `INSERT INTO mail.customers (id, name, email) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email`,
      [data.customerId, data.name, data.email],
    );
  }

  /** Kept even before the customer is known here: their events may come later. */
  async unsubscribe(m: EntityManager, customerId: string): Promise<void> {
    await m.query(
      `INSERT INTO mail.customers (id, unsubscribed_at) VALUES ($1, now())
       ON CONFLICT (id) DO UPDATE SET unsubscribed_at = COALESCE(mail.customers.unsubscribed_at, now())`,
      [customerId],
    );
  }

  async customer(m: EntityManager, id: string): Promise<Customer | undefined> {
    const [row] = (await m.query(
      'SELECT id, name, email, unsubscribed_at IS NOT NULL AS unsubscribed FROM mail.customers WHERE id = $1',
      [id],
    )) as Customer[];
    return row;
  }

  async saveAgent(m: EntityManager, data: AgentRegisteredData): Promise<void> {
    await m.query(
      `INSERT INTO mail.agents (id, name, email) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email`,
      [data.agentId, data.name, data.email],
    );
  }

  async agentNames(m: EntityManager, ids: string[]): Promise<Map<string, string>> {
    const rows = (await m.query(
      'SELECT id, name FROM mail.agents WHERE id = ANY($1::text[]) AND name IS NOT NULL',
      [ids],
    )) as Array<{ id: string; name: string }>;
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async saveSite(m: EntityManager, data: SiteConfiguredData): Promise<void> {
    await m.query(
      `INSERT INTO mail.sites (id, name, notify_delay_seconds, conversation_url) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, notify_delay_seconds = EXCLUDED.notify_delay_seconds,
         conversation_url = EXCLUDED.conversation_url`,
      [data.siteId, data.name, data.notifyDelaySeconds, data.conversationUrl],
    );
  }

  async site(m: EntityManager, id: string | null): Promise<Site | undefined> {
    if (!id) return undefined;
    const [row] = (await m.query(
      `SELECT id, name, notify_delay_seconds AS "notifyDelaySeconds", conversation_url AS "conversationUrl"
         FROM mail.sites WHERE id = $1`,
      [id],
    )) as Site[];
    return row;
  }
}
