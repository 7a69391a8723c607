/** MLflow's error codes and the HTTP status each maps to, so MLflow clients react correctly. */

export const MLFLOW_ERRORS = {
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
  ENDPOINT_NOT_FOUND: 404,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  INTERNAL_ERROR: 500,
} as const;

export type MlflowErrorCode = keyof typeof MLFLOW_ERRORS;

export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    readonly code: MlflowErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return MLFLOW_ERRORS[this.code];
  }
}

export const notFound = (what: string) => new MlflowError('RESOURCE_DOES_NOT_EXIST', what);
export const invalid = (what: string) => new MlflowError('INVALID_PARAMETER_VALUE', what);
