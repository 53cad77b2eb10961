import { BrokerUnavailable, QueryRejected } from '@parley/jetstream';

/** What a query answers, or undefined when the owner cannot say yet (away, or not found yet). */
export async function whenKnown<T>(query: Promise<T>): Promise<T | undefined> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof BrokerUnavailable || error instanceof QueryRejected) return undefined;
    throw error;
  }
}
