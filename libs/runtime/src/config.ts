import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  registerDecorator,
  Validate,
  ValidateIf,
  ValidationArguments,
  validateSync,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { DEFAULT_NAMESPACE, DEFAULT_PARTITIONS, NAMESPACE_PATTERN } from '@parley/contracts';
import { LOG_FORMATS, LogFormat } from '@parley/observability';
import { keyRingProblem, maskSecret, SECRET_KEY_RING_FORMAT } from '@parley/secrets';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Whether `require` finds a package: pino-pretty is a development dependency, absent from the image. */
function isInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

@ValidatorConstraint({ name: 'prettyLogsInstalled' })
class PrettyLogsInstalled implements ValidatorConstraintInterface {
  validate(format: unknown): boolean {
    return format !== 'pretty' || isInstalled('pino-pretty');
  }

  defaultMessage(): string {
    return 'LOG_FORMAT=pretty needs pino-pretty, a development dependency (`npm ci` installs it)';
  }
}

/**
 * The key ring a service seals secrets under when `PARLEY_SECRET_KEY` is not set. It is public (it
 * is written here), so a service whose NODE_ENV is production refuses it.
 */
export const DEV_SECRET_KEY = 'dev:MKBPvQnkpjUS+Bjbn59QduahcXTczhYiflhwp60qQ4g=';

/**
 * The key ring content data keys are sealed under when `PARLEY_CONTENT_KEY` is not set: public
 * too, so refused in production. Not the secret key ring's: a service that must never open site
 * secrets (conversation) holds this one only.
 */
export const DEV_CONTENT_KEY = 'devcontent:pj4GOa3Mx7QlZWuRzXKvKVsHr6/ZgnqNKKBV0Eo4h1Y=';

const PUBLIC_KEY_RINGS = [DEV_SECRET_KEY, DEV_CONTENT_KEY];

/**
 * A key ring (`PARLEY_SECRET_KEY`, `PARLEY_CONTENT_KEY`) that can seal and open (see libs/secrets),
 * and not a public development one when the object's NODE_ENV is production. The message never
 * quotes a key.
 */
export function IsSecretKeyRing(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSecretKeyRing',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => problemOf(value, args) === undefined,
        defaultMessage: (args: ValidationArguments) => `${args.property}: ${problemOf(args.value, args)}`,
      },
    });
}

function problemOf(value: unknown, args: ValidationArguments): string | undefined {
  if (typeof value !== 'string') return 'must be a key ring';
  if (PUBLIC_KEY_RINGS.includes(value) && (args.object as { NODE_ENV?: string }).NODE_ENV === 'production')
    return 'must be set in production; the development default is public';
  const problem = keyRingProblem(value);
  return problem && `${problem}; expected ${SECRET_KEY_RING_FORMAT}`;
}

/**
 * Configuration every service reads from its environment. Checked once at start: a wrong value
 * stops the process with a message naming the variable.
 */
export class ServiceEnv {
  /** In production the public development key rings are refused. */
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Matches(/^(nats|tls|ws|wss):\/\/[^\s]+$/, { message: 'NATS_URL must be a nats:// URL' })
  NATS_URL = 'nats://127.0.0.1:4222';

  /**
   * The service's NATS user, whose permissions the broker's configuration sets (deploy/ gives each
   * service its own). Empty: connect without authentication, as to a development broker.
   */
  @Matches(/^[A-Za-z0-9_-]{0,64}$/, { message: 'NATS_USER must be at most 64 letters, digits, _ or -' })
  NATS_USER = '';

  /** NATS_USER's password; needed with it. */
  @ValidateIf((env: ServiceEnv) => env.NATS_USER !== '')
  @IsString()
  @MinLength(16, { message: 'NATS_PASSWORD must be at least 16 characters when NATS_USER is set' })
  NATS_PASSWORD = '';

  @Matches(/^postgres(ql)?:\/\/[^\s]+\/[^/\s]+$/, {
    message: 'DATABASE_URL must be a postgres:// URL that names a database',
  })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/parley';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL = 'info';

  /** `json`, one object a line, for collectors; `pretty` for a person at a terminal (`npm start` there). */
  @IsIn(LOG_FORMATS)
  @Validate(PrettyLogsInstalled)
  LOG_FORMAT: LogFormat = 'json';

  /**
   * The first token of every subject and the prefix of every stream: installations that share one
   * NATS server need different namespaces. Fixed for the life of a deployment.
   */
  @Matches(NAMESPACE_PATTERN, {
    message:
      'PARLEY_NAMESPACE must be a lowercase letter, then at most 31 lowercase letters, digits or hyphens',
  })
  PARLEY_NAMESPACE = DEFAULT_NAMESPACE;

  /**
   * The key ring every customer's and conversation's content data key is sealed under (ADR 13):
   * every service seals the content it publishes and opens what it consumes, so all hold it. Kept
   * apart from `PARLEY_SECRET_KEY`, which opens site secrets that conversation must never read.
   */
  @IsSecretKeyRing()
  PARLEY_CONTENT_KEY = DEV_CONTENT_KEY;

  /** How long domain events stay replayable in the event stream. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  PARLEY_EVENT_RETENTION_DAYS = 7;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  PARLEY_COMMAND_RETENTION_DAYS = 7;

  /** JetStream drops a republished command or event with a known Nats-Msg-Id inside this window. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PARLEY_DUPLICATE_WINDOW_SECONDS = 120;

  /** Stream replicas: 1 on a single broker, 3 on a production JetStream cluster. */
  @Type(() => Number)
  @IsIn([1, 3, 5])
  PARLEY_STREAM_REPLICAS = 1;

  /** Deliveries after which a failing message is dead-lettered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  PARLEY_MAX_DELIVER = 10;

  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  PARLEY_SHUTDOWN_TIMEOUT_MS = 20_000;

  /**
   * Partitions of the command and event streams: how many processes of a service can share its
   * work. Fixed for the life of a deployment (changing it moves conversations between partitions).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1024)
  PARLEY_PARTITIONS = DEFAULT_PARTITIONS;

  /** How long a partition's lease lasts unrenewed: the longest a paused or cut-off owner keeps it. */
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(300)
  PARLEY_LEASE_TTL_SECONDS = 10;

  /** How long a message on a subject this build does not know waits between offers. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  PARLEY_UNKNOWN_SUBJECT_RETRY_SECONDS = 30;

  /** Age after which a message no process could handle is dead-lettered. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(30 * 86_400)
  PARLEY_UNKNOWN_SUBJECT_MAX_AGE_SECONDS = 86_400;

  /**
   * The longest a statement of a service's database pool may run before PostgreSQL cancels it: a
   * query stuck behind a lock or a bad plan fails instead of holding a connection. Migrations, which
   * may build an index over a large table, are not limited.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  PARLEY_STATEMENT_TIMEOUT_MS = 30_000;

  /** How often the outbox relay looks for events a failed or crashed publish left behind. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  PARLEY_OUTBOX_RELAY_INTERVAL_MS = 1_000;
}

/** Variables whose value must never be repeated, even when it was rejected: a typo'd key is still most of a key. */
const SECRET_NAME = /SECRET|TOKEN|KEY|PASSWORD/;

/** A variable's value as a configuration error may quote it. */
function quotedValue(name: string, value: unknown): string {
  if (SECRET_NAME.test(name) && typeof value === 'string') return maskSecret(value);
  return JSON.stringify(value ?? null);
}

export class InvalidConfiguration extends Error {
  override readonly name = 'InvalidConfiguration';
}

/** Reads `env` over the class's defaults; unset and empty variables keep the default. */
export function loadConfig<T extends object>(
  envClass: new () => T,
  defaults: Partial<Record<keyof T, unknown>> = {},
  env: NodeJS.ProcessEnv = process.env,
): T {
  const known = Object.keys(new envClass()).concat(Object.keys(defaults));
  const given: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && (known.includes(key) || key.startsWith('PARLEY_')))
      given[key] = value;
  }
  const config = plainToInstance(envClass, given);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length) {
    const lines = errors.map((e) => {
      const value = quotedValue(e.property, (config as Record<string, unknown>)[e.property]);
      return `  ${e.property}=${value}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new InvalidConfiguration(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
