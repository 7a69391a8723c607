/**
 * A/B feedback: which version served a request id, and per experiment and arm the counts
 * `mlp experiment status` needs (assigned requests, outcomes received, positive outcomes).
 *
 * Memory is bounded. The request log keeps at most `maxEntries` ids (100,000 by default) for at
 * most `ttlMs` (24 h): a Map in insertion order, so the oldest entry is always first; inserting
 * evicts from the front (expired ones, then the oldest beyond the cap). An entry is a request
 * id (≤ 128 characters) and a small record: roughly 200–350 bytes, so ≈ 20–35 MB at the cap.
 * Feedback does not refresh an entry (this is a first-in-first-out log with a TTL, not an LRU
 * cache: an outcome is reported once, so recency of use means nothing here).
 * Counts are kept for the last `maxExperiments` experiments (16): one experiment is one
 * (champion version, challenger version, split) triple, so a new challenger starts from zero and
 * late feedback for the previous pair still lands on the pair that served it.
 */

import { ServingError } from './errors.js';

export type Arm = 'champion' | 'challenger';

/**
 * One champion/challenger pair of one model at one split. A new weight is a new experiment for
 * the counts: the sample-ratio check compares counts with one split, and counts gathered under
 * 90/10 then 50/50 fit neither.
 */
export interface Experiment {
  readonly model: string;
  readonly champion: string;
  readonly challenger: string;
  readonly challengerPercent: number;
}

export const experimentKey = (e: Experiment): string =>
  `${e.model}\u0000${e.champion}\u0000${e.challenger}\u0000${e.challengerPercent}`;

export interface ServedRequest {
  readonly model: string;
  readonly version: string;
  /** Epoch ms. */
  readonly at: number;
  /** Set when the split chose the version (not `x-model-version` or a version path). */
  readonly experiment?: Experiment;
  readonly arm?: Arm;
  /** The bearer-token identity that made the request: only it may report the outcome. */
  readonly identity?: string;
  answered: boolean;
}

export interface ArmCounters {
  assigned: number;
  feedback: number;
  conversions: number;
}

export interface FeedbackOptions {
  /** @default 100_000 */
  readonly maxEntries?: number;
  /** @default 24 h */
  readonly ttlMs?: number;
  /** @default 16 */
  readonly maxExperiments?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export type FeedbackResult =
  | { readonly kind: 'counted'; readonly request: ServedRequest }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'conflict'; readonly request: ServedRequest };

export class FeedbackLog {
  private readonly requests = new Map<string, ServedRequest>();
  private readonly experiments = new Map<string, { champion: ArmCounters; challenger: ArmCounters }>();
  readonly maxEntries: number;
  readonly ttlMs: number;
  private readonly maxExperiments: number;
  private readonly now: () => number;

  constructor(opts: FeedbackOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.ttlMs = opts.ttlMs ?? 24 * 3600 * 1000;
    this.maxExperiments = opts.maxExperiments ?? 16;
    this.now = opts.now ?? Date.now;
    if (!(Number.isSafeInteger(this.maxEntries) && this.maxEntries > 0))
      throw new RangeError(`maxEntries must be a positive integer, received ${this.maxEntries}`);
    if (!(this.ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, received ${this.ttlMs}`);
  }

  get size(): number {
    return this.requests.size;
  }

  private evict(): void {
    const oldest = this.now() - this.ttlMs;
    for (const [id, r] of this.requests) {
      if (this.requests.size < this.maxEntries && r.at > oldest) break;
      this.requests.delete(id);
    }
  }

  private counters(e: Experiment) {
    const key = experimentKey(e);
    let c = this.experiments.get(key);
    if (!c) {
      c = {
        champion: { assigned: 0, feedback: 0, conversions: 0 },
        challenger: { assigned: 0, feedback: 0, conversions: 0 },
      };
      this.experiments.set(key, c);
      // Oldest experiment first in insertion order: forget it beyond the cap.
      if (this.experiments.size > this.maxExperiments)
        this.experiments.delete(this.experiments.keys().next().value!);
    }
    return c;
  }

  /**
   * Records that `id` was served. A reused id keeps its first record (a client-chosen id must
   * not redirect an outcome to another version) and is not counted again; returns false then.
   */
  served(id: string, r: Omit<ServedRequest, 'at' | 'answered'>): boolean {
    if (this.get(id)) return false;
    this.evict();
    this.requests.set(id, { ...r, at: this.now(), answered: false });
    if (r.experiment && r.arm) this.counters(r.experiment)[r.arm].assigned++;
    return true;
  }

  /** The record of a request id, unless unknown or expired. */
  get(id: string): ServedRequest | undefined {
    const r = this.requests.get(id);
    if (r && r.at <= this.now() - this.ttlMs) {
      this.requests.delete(id);
      return undefined;
    }
    return r;
  }

  /** Attributes an outcome to the version that served `id`; at most once per id. */
  feedback(id: string, positive: boolean, identity?: string): FeedbackResult {
    const r = this.get(id);
    // Another identity's request is reported as unknown: a 403 would confirm the id exists.
    if (!r || r.identity !== identity) return { kind: 'not-found' };
    if (r.answered) return { kind: 'conflict', request: r };
    r.answered = true;
    if (r.experiment && r.arm) {
      const c = this.counters(r.experiment)[r.arm];
      c.feedback++;
      if (positive) c.conversions++;
    }
    return { kind: 'counted', request: r };
  }

  /** The counts of one experiment (zeros when nothing was served in it yet). */
  counts(e: Experiment): { champion: ArmCounters; challenger: ArmCounters } {
    const c = this.experiments.get(experimentKey(e));
    return {
      champion: { ...(c?.champion ?? { assigned: 0, feedback: 0, conversions: 0 }) },
      challenger: { ...(c?.challenger ?? { assigned: 0, feedback: 0, conversions: 0 }) },
    };
  }
}

export interface FeedbackBody {
  readonly requestId: string;
  readonly positive: boolean;
}

const FEEDBACK_KEYS = new Set(['requestId', 'outcome']);
const FEEDBACK_SHAPE = '{"requestId": "<x-request-id of the response>", "outcome": true|false|1|0}';

/**
 * `{"requestId": "…", "outcome": true|false|1|0}`. Booleans, or 1/0 (what a label column or a
 * click flag usually is); nothing else: "true", 0.5 or null are refused, not guessed at. Own
 * keys only (Object.hasOwn), so `constructor` or `toString` in a body are unknown fields, and a
 * `__proto__` key never gets here (Fastify's parser refuses it: 400 MLP_BAD_REQUEST).
 */
export function parseFeedback(body: unknown, isRequestId: (v: unknown) => boolean): FeedbackBody {
  const bad = (message: string) => new ServingError('MLP_INVALID_FEEDBACK', message);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad(`expected ${FEEDBACK_SHAPE}`);
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FEEDBACK_KEYS.has(k));
  if (unknown.length > 0)
    throw bad(`unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))}; expected ${FEEDBACK_SHAPE}`);
  const id = Object.hasOwn(o, 'requestId') ? o.requestId : undefined;
  if (id === undefined) throw bad(`requestId is missing; expected ${FEEDBACK_SHAPE}`);
  if (!isRequestId(id))
    throw bad(
      'requestId: expected 1-128 characters of A-Z a-z 0-9 . _ : - (the x-request-id of the response)',
    );
  const outcome = Object.hasOwn(o, 'outcome') ? o.outcome : undefined;
  if (outcome === undefined) throw bad(`outcome is missing; expected ${FEEDBACK_SHAPE}`);
  if (outcome === true || outcome === 1) return { requestId: id as string, positive: true };
  if (outcome === false || outcome === 0) return { requestId: id as string, positive: false };
  throw bad(`outcome: expected true, false, 1 or 0, received ${JSON.stringify(outcome)?.slice(0, 40)}`);
}
