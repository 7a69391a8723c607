/**
 * An always-valid p-value for the difference of two conversion rates: the mixture sequential
 * probability ratio test (mSPRT) with a normal mixing distribution, as in Johari, Koomen,
 * Pekelis & Walsh, "Peeking at A/B Tests" (KDD 2017; Optimizely's Stats Engine).
 *
 * Why this and not an alpha-spending design: users look at `mlp experiment status` whenever they
 * like, and a group-sequential design (Pocock, O'Brien–Fleming) is only valid for looks fixed in
 * advance, with a planned maximum sample. The mSPRT's likelihood ratio is a martingale under the
 * null, so by Ville's inequality P(sup_n Λ_n ≥ 1/α) ≤ α: the p-value p_n = min(p_{n−1}, 1/Λ_n)
 * may be checked after every observation, and the experiment may run on without a horizon. The
 * price is power: it needs more samples than a fixed-horizon test that is looked at once.
 *
 * The statistic: θ̂ = p̂_b − p̂_a is approximately N(θ, s²) with s² = p̂_a(1−p̂_a)/n_a +
 * p̂_b(1−p̂_b)/n_b (the CLT approximation the paper uses for binary data). Mixing the likelihood
 * ratio over θ ~ N(0, τ²) gives the closed form
 *
 *   Λ = sqrt(s² / (s² + τ²)) · exp(τ² θ̂² / (2 s² (s² + τ²)))
 *
 * which for n_a = n_b = n is the paper's sqrt(V/(V+nτ²))·exp(n²τ²θ̂²/(2V(V+nτ²))), V = σ_a²+σ_b².
 * τ should be on the scale of the effects one hopes to detect: we use the minimum detectable
 * effect (absolute), which the paper shows is close to optimal for effects of that size.
 */
import type { Arm } from './proportions.js';

/** The mixture likelihood ratio Λ for arms a (champion) and b (challenger); 1 = no evidence. */
export function mixtureLikelihoodRatio(a: Arm, b: Arm, tau: number): number {
  if (!(tau > 0 && Number.isFinite(tau))) throw new RangeError(`tau must be > 0, received ${tau}`);
  if (a.n === 0 || b.n === 0) return 1;
  const pa = a.successes / a.n;
  const pb = b.successes / b.n;
  let s2 = (pa * (1 - pa)) / a.n + (pb * (1 - pb)) / b.n;
  if (s2 === 0) {
    // Both arms all-0 or all-1 so far: fall back on the pooled variance; still 0 means no evidence.
    const pooled = (a.successes + b.successes) / (a.n + b.n);
    s2 = pooled * (1 - pooled) * (1 / a.n + 1 / b.n);
    if (s2 === 0) return 1;
  }
  const t2 = tau * tau;
  const d = pb - pa;
  return Math.sqrt(s2 / (s2 + t2)) * Math.exp((t2 * d * d) / (2 * s2 * (s2 + t2)));
}

/**
 * A running always-valid p-value: feed it the cumulative counts at every look (in order), read
 * `p` at any time. Pure: `next` returns a new state.
 */
export interface SequentialState {
  readonly p: number;
  readonly looks: number;
}

export const START: SequentialState = { p: 1, looks: 0 };

export function nextLook(state: SequentialState, a: Arm, b: Arm, tau: number): SequentialState {
  const lambda = mixtureLikelihoodRatio(a, b, tau);
  return { p: Math.min(state.p, 1 / lambda), looks: state.looks + 1 };
}

/** The always-valid p-value after a sequence of looks at cumulative counts. */
export function alwaysValidP(looks: readonly { a: Arm; b: Arm }[], tau: number): number {
  let s = START;
  for (const l of looks) s = nextLook(s, l.a, l.b, tau);
  return s.p;
}
