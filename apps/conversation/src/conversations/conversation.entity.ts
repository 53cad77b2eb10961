import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { Priority } from '@parley/contracts';

export type ConversationStatus = 'open' | 'pending' | 'snoozed' | 'resolved';

@Entity({ name: 'conversations' })
export class Conversation {
  @PrimaryColumn() id: string;
  @Column({ name: 'customer_id' }) customerId: string;
  @Column('text', { nullable: true }) subject: string | null;
  @Column('text') status: ConversationStatus;
  @Column('text') priority: Priority;
  @Column('text', { name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @Column('text', { nullable: true }) team: string | null;
  /** The seq of the newest message or note; the next one gets lastSeq + 1. */
  @Column('int', { name: 'last_seq' }) lastSeq: number;
  @Column('timestamptz', { name: 'last_message_at' }) lastMessageAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
