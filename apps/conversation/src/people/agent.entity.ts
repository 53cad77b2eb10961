import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'agents' })
export class Agent {
  @PrimaryColumn() id: string;
  @Column() name: string;
  @Column() email: string;
  @Column('text', { array: true }) teams: string[];
  @Column('int') capacity: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
