/**
 * Request ids and the sticky-assignment key, read from request headers.
 *
 * Every inference response carries a request id (`x-request-id` header, and `requestId` or the
 * OIP `id` in the body): the handle a client later sends to `POST /feedback`. Ours are
 * `crypto.randomUUID()` (122 random bits): unguessable, so nobody can report an outcome for a
 * request they did not make. A client may bring its own id (to join our logs with its own); it
 * is accepted only when short printable ASCII, and *refused* (400) otherwise rather than
 * replaced: the client keeps that id to send feedback later, and a silently replaced id would
 * only fail then, far from the cause.
 */
import { randomUUID } from 'node:crypto';
import { ServingError } from './errors.js';

export const REQUEST_ID_HEADER = 'x-request-id';
export const USER_ID_HEADER = 'x-user-id';

export const MAX_REQUEST_ID_LENGTH = 128;
/** Longer keys are refused: a key is hashed on every request, and nobody's user id is 257 bytes. */
export const MAX_USER_ID_BYTES = 256;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const newRequestId = (): string => randomUUID();

/** Whether a string is acceptable as a request id (ours always are). */
export const isRequestId = (v: unknown): v is string => typeof v === 'string' && REQUEST_ID.test(v);

/**
 * A header's values as sent. `req.headers` joins a repeated `x-…` header into one string
 * ("u1, u2"), which would pass as one odd key; `headersDistinct` (Node ≥ 18.3) keeps them apart.
 */
export function headerValues(
  raw: {
    headers: Record<string, string | string[] | undefined>;
    headersDistinct?: Record<string, string[] | undefined>;
  },
  name: string,
): string | string[] | undefined {
  const distinct = raw.headersDistinct?.[name];
  if (distinct) return distinct.length === 1 ? distinct[0] : distinct;
  return raw.headers[name];
}

const show = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

/** The client's `x-request-id`, checked; a fresh one when there is none. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (header === undefined) return newRequestId();
  // Node joins most repeated headers with ", " but not unknown x- ones in every version: refuse both.
  if (Array.isArray(header))
    throw new ServingError('MLP_INVALID_REQUEST_ID', `${REQUEST_ID_HEADER} sent ${header.length} times`);
  if (!REQUEST_ID.test(header)) {
    throw new ServingError(
      'MLP_INVALID_REQUEST_ID',
      header.length === 0
        ? `${REQUEST_ID_HEADER} is empty`
        : header.length > MAX_REQUEST_ID_LENGTH
          ? `${REQUEST_ID_HEADER} is ${header.length} characters; at most ${MAX_REQUEST_ID_LENGTH}`
          : `${REQUEST_ID_HEADER} ${show(header)} has a character outside A-Z a-z 0-9 . _ : -`,
    );
  }
  return header;
}

/**
 * The sticky-assignment key from `x-user-id`; undefined without the header. Node decodes header
 * bytes as Latin-1, so a key that is not valid UTF-8 still maps one-to-one onto a string and
 * stays sticky (its bytes, not a replacement character, are hashed).
 */
export function userIdFrom(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header))
    throw new ServingError('MLP_INVALID_USER_ID', `${USER_ID_HEADER} sent ${header.length} times`);
  if (header.length === 0) throw new ServingError('MLP_INVALID_USER_ID', `${USER_ID_HEADER} is empty`);
  // Latin-1 decoding: one character per byte received.
  if (header.length > MAX_USER_ID_BYTES)
    throw new ServingError(
      'MLP_INVALID_USER_ID',
      `${USER_ID_HEADER} is ${header.length} bytes; at most ${MAX_USER_ID_BYTES}`,
    );
  return header;
}
