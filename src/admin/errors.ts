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
