/**
 * The model server's error catalog: every error a client can see has a stable code and status.
 * Domain code throws ServingError; one handler turns it into `{error, code}`. docs/errors.md
 * lists every code (a test keeps the two in step).
 */

export const SERVING_ERRORS = {
  MLP_BAD_REQUEST: 400,
  MLP_INVALID_REQUEST_ID: 400,
  MLP_INVALID_USER_ID: 400,
  MLP_INVALID_FEEDBACK: 400,
  MLP_UNAUTHORIZED: 401,
  MLP_MODEL_NOT_FOUND: 404,
  MLP_VERSION_NOT_FOUND: 404,
  MLP_ROUTE_NOT_FOUND: 404,
  MLP_REQUEST_NOT_FOUND: 404,
  MLP_NO_EXPERIMENT: 404,
  MLP_FEEDBACK_CONFLICT: 409,
  MLP_PAYLOAD_TOO_LARGE: 413,
  MLP_UNSUPPORTED_MEDIA_TYPE: 415,
  MLP_INVALID_INPUT: 422,
  MLP_TEXT_TOO_LONG: 422,
  MLP_BATCH_TOO_LARGE: 422,
  MLP_TENSOR_DATATYPE: 422,
  MLP_TENSOR_SHAPE: 422,
  MLP_RATE_LIMITED: 429,
  MLP_INTERNAL: 500,
  MLP_MODEL_NOT_READY: 503,
} as const;

export type ServingErrorCode = keyof typeof SERVING_ERRORS;

export class ServingError extends Error {
  override readonly name = 'ServingError';
  constructor(
    readonly code: ServingErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return SERVING_ERRORS[this.code];
  }
}
