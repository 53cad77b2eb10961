import { ApiProperty } from '@nestjs/swagger';
import { SetAgentDigest } from '@parley/contracts';
import { AGENT_ID } from '../api/examples';
import { RequestFrom } from '../api/request-from';

export class AgentNotificationsRequest extends RequestFrom(SetAgentDigest, {
  given: ['emailDigest'],
  assigned: ['agentId'],
}) {
  @ApiProperty({
    example: false,
    description: 'Whether the agent gets an email digest of their conversations and the queue while offline',
  })
  override emailDigest: boolean;
}

export class AgentNotifications {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({ example: false }) emailDigest: boolean;
}
