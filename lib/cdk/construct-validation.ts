import type { IConstruct } from 'constructs';
import { LeaseValidationError } from '../runtime/errors.js';

/**
 * `error`, naming `scope`'s construct path when it is a validation error that
 * names none yet, as aws-cdk-lib's own validation errors do: in an app with
 * several singletons, "contenders must be …" alone does not say which one.
 * The innermost construct names itself; its parents leave the path alone.
 */
export function atConstructPath(scope: IConstruct, error: unknown): unknown {
  if (!(error instanceof LeaseValidationError) || error.constructPath !== undefined) return error;
  return new LeaseValidationError(error.field, error.problem, { constructPath: scope.node.path });
}
