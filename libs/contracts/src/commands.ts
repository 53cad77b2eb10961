import { Type } from 'class-transformer';
import {
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ROLES, Role } from './principal';
import { CommandSubjects } from './subjects';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const MESSAGE_BODY_MAX = 10_000;

/** Who issued a command, as authenticated by the gateway. */
export class Issuer {
  @IsString() @Length(1, 64) id: string;
  @IsIn(ROLES) role: Role;
}

abstract class Command {
  @ValidateNested() @Type(() => Issuer) issuedBy: Issuer;
  /** When the gateway accepted the command (RFC 3339). */
  @IsISO8601() acceptedAt: string;
}

export class RegisterAgent extends Command {
  static readonly subject = CommandSubjects.registerAgent;
  @IsString() @Length(1, 64) agentId: string;
  @IsString() @Length(1, 200) name: string;
  @IsEmail() email: string;
  @IsArray() @IsString({ each: true }) teams: string[];
  @IsInt() @Min(0) @Max(1000) capacity: number;
}

export class RegisterCustomer extends Command {
  static readonly subject = CommandSubjects.registerCustomer;
  @IsString() @Length(1, 64) customerId: string;
  @IsString() @Length(1, 200) externalId: string;
  @IsOptional() @IsString() @Length(1, 200) name?: string;
  @IsOptional() @IsEmail() email?: string;
}

export class OpenConversation extends Command {
  static readonly subject = CommandSubjects.openConversation;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @IsOptional() @IsString() @Length(0, 300) subject?: string;
  @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
  @IsIn(PRIORITIES) priority: Priority;
}

export class PostMessage extends Command {
  static readonly subject = CommandSubjects.postMessage;
  @IsString() @Length(1, 64) conversationId: string;
  @IsString() @Length(1, 64) messageId: string;
  @IsString() @Length(1, MESSAGE_BODY_MAX) body: string;
}
