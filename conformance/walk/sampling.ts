// The statement that goes with a sample (report.sampling). Binomial bounds: sampling without
// replacement from a finite catalogue detects at least this well, so the numbers are conservative.
export interface SamplingStatement {
  population: number
  size: number
  all: boolean
  confidence: string
}

/** Probability that n random draws contain at least one defective when a share p is defective. */
export const detectionProbability = (n: number, p: number): number => 1 - (1 - p) ** n

/** Largest defective share still consistent (at `level`) with finding none in n draws. */
export const upperBoundWhenNoneFound = (n: number, level = 0.95): number => (n <= 0 ? 1 : 1 - (1 - level) ** (1 / n))

const pct = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)} %`

/** Default media sample: the smallest n that finds a ≥ 5 % defect rate with ≥ 95 % probability. */
export const DEFAULT_SAMPLE_SIZE = 59

export function samplingStatement(population: number, size: number, seed: string, what = 'courses'): SamplingStatement {
  const n = Math.min(size, population)
  if (n >= population) {
    return { population, size: n, all: true, confidence: `all ${population} ${what} were checked; no sampling error.` }
  }
  return {
    population,
    size: n,
    all: false,
    confidence:
      `${n} of ${population} ${what} were checked (deterministic sample, seed "${seed}"). ` +
      `If ≥ 5 % of them were defective, a sample of ${n} finds one with ${pct(detectionProbability(n, 0.05))} probability; ` +
      `finding none means fewer than ${pct(upperBoundWhenNoneFound(n))} are defective at 95 % confidence. ` +
      `Use --all-media to check every one.`,
  }
}
