import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ConversationStatus, Priority } from '@parley/contracts';

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
  /** The start of the newest customer-visible message, for lists. */
  @Column('text', { name: 'last_message_preview', nullable: true }) lastMessagePreview: string | null;
  @Column('timestamptz', { name: 'snooze_until', nullable: true }) snoozeUntil: Date | null;
  /** When it entered the queue (open and unassigned); the queue is served oldest first per priority. */
  @Column('timestamptz', { name: 'queued_at', nullable: true }) queuedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
