/**
 * Bearer-token checks shared by the model server and the registry. Tokens live in a Map keyed
 * by nothing a client controls: a presented token is hashed and compared against every
 * configured token's digest with crypto.timingSafeEqual, so neither prototype names
 * (`constructor`, `__proto__`) nor timing reveal anything.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

export class BearerTokens {
  private readonly entries: { digest: Buffer; identity: string }[] = [];

  /** `tokens`: token → identity (a team name, say). */
  constructor(tokens: ReadonlyMap<string, string> | Readonly<Record<string, string>>) {
    const pairs = tokens instanceof Map ? [...tokens] : Object.entries(tokens);
    for (const [token, identity] of pairs) {
      if (typeof token !== 'string' || token === '') continue;
      this.entries.push({ digest: digest(token), identity: String(identity) });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** The identity a token belongs to, or undefined. Every configured token is compared. */
  identify(token: string): string | undefined {
    const presented = digest(token);
    let found: string | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, presented) && !found) found = e.identity;
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or malformed. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = /^Bearer +([^\s]+) *$/i.exec(h ?? '');
  return m?.[1];
}
