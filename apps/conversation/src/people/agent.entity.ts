import type { Presence } from '@parley/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'agents' })
export class Agent {
  @PrimaryColumn() id: string;
  @Column() name: string;
  @Column() email: string;
  @Column('text', { array: true }) teams: string[];
  @Column('int') capacity: number;
  @Column('text') presence: Presence;
  @Column('timestamptz', { name: 'last_assigned_at', nullable: true }) lastAssignedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
