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

export class CreateAgentRequest {
  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  email: string;

  @ApiPropertyOptional({ example: ['billing'], description: 'Teams the agent works in' })
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
    example: 'crm-42',
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
  @ApiProperty({ example: '0192f7a0-1c2d-7e3f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty({ description: 'Bearer token for this principal (JWT)' }) token: string;
}

export class PresenceRequest {
  @ApiProperty({ enum: PRESENCES })
  @IsIn(PRESENCES)
  status: Presence;
}

export class PresenceAccepted {
  @ApiProperty() agentId: string;
  @ApiProperty({ enum: PRESENCES }) status: Presence;
}

export class AgentItem {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: [String] }) teams: string[];
  @ApiProperty() capacity: number;
  @ApiProperty({ enum: PRESENCES }) presence: string;
  @ApiProperty({ description: 'Open and pending conversations assigned now' }) load: number;
}

export class AgentPage {
  @ApiProperty({ type: [AgentItem] }) items: AgentItem[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
