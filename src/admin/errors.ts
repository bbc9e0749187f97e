/**
 * The management API's one error shape: `{error:{message, details:[{field, message}]}}`.
 */

export interface FieldProblem {
  field: string;
  message: string;
}

export interface ManagementError {
  error: { message: string; details: FieldProblem[] };
}

export function managementError(message: string, details: FieldProblem[] = []): ManagementError {
  return { error: { message, details } };
}

/**
 * A management request whose JSON body is not an object. Thrown before validation, which (with
 * Elysia's `normalize`) would otherwise read an array or a string as `{}`.
 */
export class BodyNotAnObject extends Error {
  override name = "BodyNotAnObject";

  constructor() {
    super("The request body must be a JSON object");
  }
}
