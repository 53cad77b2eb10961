export const ROLES = ['admin', 'agent', 'customer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: carried from the gateway's authentication into every query so owners enforce access. */
export interface Principal {
  id: string;
  role: Role;
}
