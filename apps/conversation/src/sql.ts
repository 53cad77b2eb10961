import type { EntityManager } from 'typeorm';

/** What runs the service's statements: its data source, or a transaction's entity manager. */
export type Sql = Pick<EntityManager, 'query'>;
