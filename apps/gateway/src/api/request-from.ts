import { Type } from '@nestjs/common';
import { IntersectionType, PartialType, PickType } from '@nestjs/swagger';
import type { Command, CommandBody } from '@parley/contracts';

type Field<C extends Command> = keyof CommandBody<C> & string;

/** Where each of a command's fields comes from when a request becomes that command. */
export interface RequestFields<
  C extends Command,
  G extends Field<C>,
  D extends Field<C>,
  A extends Field<C>,
> {
  /** Given by the caller as the command has it (required or optional alike). */
  given: readonly G[];
  /** Given by the caller or left out, the gateway then filling in the API's default. */
  defaulted?: readonly D[];
  /** Filled in by the gateway (allocated ids, path parameters), never read from the body. */
  assigned?: readonly A[];
}

type Unplaced<C extends Command, G, D, A> = Exclude<Field<C>, G | D | A>;

/**
 * A request body made of a command's fields, with the command's validation rules: the command is
 * the one place its input rules are written. Every field of the command must be placed as given,
 * defaulted or assigned, so a field the command gains fails to compile at the request until it is
 * placed (the error names it as `unplaced`). The DTO itself adds only the OpenAPI description.
 */
export function RequestFrom<
  C extends Command,
  G extends Field<C>,
  D extends Field<C> = never,
  A extends Field<C> = never,
>(
  command: Type<C>,
  fields: RequestFields<C, G, D, A> &
    ([Unplaced<C, G, D, A>] extends [never] ? unknown : { unplaced: Unplaced<C, G, D, A> }),
): Type<Pick<C, G> & Partial<Pick<C, D>>> {
  const given = PickType(command, fields.given);
  const request = fields.defaulted?.length
    ? IntersectionType(given, PartialType(PickType(command, fields.defaulted)))
    : given;
  // Swagger's mapped types say less about the class they make than this signature knows.
  return request as Type<Pick<C, G> & Partial<Pick<C, D>>>;
}
