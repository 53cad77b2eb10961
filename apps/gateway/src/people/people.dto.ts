import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Presence, PRESENCES } from '@parley/contracts';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { AGENT_CURSOR, AGENT_EMAIL, AGENT_ID, AGENT_NAME, EXTERNAL_ID, TEAM, TOKEN } from '../http/examples';

export class CreateAgentRequest {
  @ApiProperty({ example: AGENT_NAME, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: AGENT_EMAIL })
  @IsEmail()
  email: string;

  @ApiPropertyOptional({ example: [TEAM], description: 'Teams the agent works in' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  teams?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    example: 5,
    default: 5,
    description: 'Open and pending conversations the agent can hold',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  capacity?: number;
}

export class CreateCustomerRequest {
  @ApiProperty({
    example: EXTERNAL_ID,
    description: "The business's own id for this user; the same one always maps to the same customer",
  })
  @IsString()
  @Length(1, 200)
  externalId: string;

  @ApiPropertyOptional({ example: 'Grace Hopper' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'grace@example.com' })
  @IsOptional()
  @IsEmail()
  email?: string;
}

export class PrincipalCreated {
  @ApiProperty({ example: AGENT_ID, description: 'The new agent’s id, or the customer’s' }) id: string;
  @ApiProperty({ example: TOKEN, description: 'Bearer token for this principal (JWT)' }) token: string;
}

export class PresenceRequest {
  @ApiProperty({ enum: PRESENCES, example: 'online' })
  @IsIn(PRESENCES)
  status: Presence;
}

export class PresenceAccepted {
  @ApiProperty({ example: AGENT_ID }) agentId: string;
  @ApiProperty({ enum: PRESENCES, example: 'online' }) status: Presence;
}

export class AgentItem {
  @ApiProperty({ example: AGENT_ID }) id: string;
  @ApiProperty({ example: AGENT_NAME }) name: string;
  @ApiProperty({ example: AGENT_EMAIL }) email: string;
  @ApiProperty({ type: [String], example: [TEAM] }) teams: string[];
  @ApiProperty({ example: 5 }) capacity: number;
  @ApiProperty({ enum: PRESENCES, example: 'online' }) presence: string;
  @ApiProperty({ example: 1, description: 'Open and pending conversations assigned now' }) load: number;
}

export class AgentPage {
  @ApiProperty({ type: [AgentItem] }) items: AgentItem[];
  @ApiProperty({
    nullable: true,
    type: String,
    example: AGENT_CURSOR,
    description: 'Pass as `cursor` for the next page; null at the end',
  })
  nextCursor: string | null;
}
