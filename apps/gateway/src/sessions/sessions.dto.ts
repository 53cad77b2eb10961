import { ApiProperty } from '@nestjs/swagger';
import { AGENT_ROLES, AgentRole, SessionView } from '@parley/contracts';
import { IsEmail, IsString, Length } from 'class-validator';
import {
  AGENT_EMAIL,
  AGENT_ID,
  INVITE_TOKEN,
  OPENED_AT,
  REPLIED_AT,
  SESSION_ID,
  TOKEN,
} from '../api/examples';

/** Long enough to resist guessing offline against a leaked hash, short enough to bound argon2's input. */
export const PASSWORD_LENGTH = { min: 12, max: 200 };

export class AcceptInviteRequest {
  @ApiProperty({ example: INVITE_TOKEN, description: 'The secret of the invite link' })
  @IsString()
  @Length(1, 100)
  token: string;

  @ApiProperty({
    minLength: PASSWORD_LENGTH.min,
    maxLength: PASSWORD_LENGTH.max,
    example: 'correct horse battery',
  })
  @IsString()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max)
  password: string;
}

export class PasswordSet {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
}

export class SignInRequest {
  @ApiProperty({ example: AGENT_EMAIL })
  @IsEmail()
  email: string;

  @ApiProperty({ maxLength: PASSWORD_LENGTH.max, example: 'correct horse battery' })
  @IsString()
  @Length(1, PASSWORD_LENGTH.max)
  password: string;
}

export class SignedIn {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({ enum: AGENT_ROLES, example: 'agent' }) role: AgentRole;
  @ApiProperty({ example: TOKEN, description: 'Bearer token for the agent (JWT)' }) token: string;
  @ApiProperty({ example: 900, description: 'Seconds until the token expires' }) expiresIn: number;
}

export class SessionItem implements SessionView {
  @ApiProperty({ example: SESSION_ID }) id: string;
  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', description: 'Its User-Agent' })
  device: string;
  @ApiProperty({ example: OPENED_AT, description: 'When the agent signed in there' }) createdAt: string;
  @ApiProperty({ example: REPLIED_AT, description: 'When it last renewed its access token' })
  lastUsedAt: string;
  @ApiProperty({ example: true, description: 'Whether it is the device asking' }) current: boolean;
}
