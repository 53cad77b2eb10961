import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@parley/contracts';

/**
 * The ledger of seq numbers handed out: one row per stored message or note. Its primary key is
 * the message id, so a redelivered command finds its earlier outcome instead of taking a new seq.
 */
@Entity({ name: 'conversation_entries' })
export class ConversationEntry {
  @PrimaryColumn() id: string;
  @Column({ name: 'conversation_id' }) conversationId: string;
  @Column('int') seq: number;
  @Column({ name: 'author_id' }) authorId: string;
  @Column('text', { name: 'author_role' }) authorRole: Role;
  @Column('text') type: 'message' | 'note';
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}
