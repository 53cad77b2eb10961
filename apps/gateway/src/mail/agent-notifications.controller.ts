import { Body, Controller, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SetAgentDigest } from '@parley/contracts';
import { AcceptedAnswer, CommandEndpoint } from '../api/command-endpoint';
import { ApiPreferWait } from '../api/prefer-wait.doc';
import { ApiProblems } from '../api/problem.doc';
import { CurrentWrite, Write } from '../api/write';
import { Allow } from '../auth/auth';
import { AgentNotifications, AgentNotificationsRequest } from './agent-notifications.dto';

@ApiTags('mail')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 503)
@Controller('v1/agents/me/notifications')
export class AgentNotificationsController {
  constructor(private readonly commands: CommandEndpoint) {}

  @Put()
  @Allow('agent')
  @ApiOperation({
    operationId: 'setAgentNotifications',
    summary: "Switch the calling agent's email digest on or off",
    description: `While offline, an agent gets one email every PARLEY_MAIL_AGENT_DIGEST_INTERVAL_SECONDS listing the conversations assigned to them and those waiting in the queue too long, unless switched off here. On by default.`,
  })
  @AcceptedAnswer(AgentNotifications)
  @ApiPreferWait(AgentNotifications, 'With `Prefer: wait=N`: set', 200)
  set(@Body() body: AgentNotificationsRequest, @CurrentWrite() write: Write): Promise<AgentNotifications> {
    const notifications = { agentId: write.principal.id, emailDigest: body.emailDigest };
    return this.commands.confirm(
      write,
      { type: SetAgentDigest, body: notifications, msgId: write.allocate() },
      notifications,
    );
  }
}
