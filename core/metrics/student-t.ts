// Student's t quantile for two-sided 95 % confidence intervals of a mean over a few replications.
// t(0.975, df) from the standard table for df 1 … 30 (e.g. NIST/SEMATECH e-Handbook of Statistical Methods,
// §1.3.6.7.2 "Critical Values of the Student's t Distribution"); above 30 the Cornish-Fisher expansion of the t
// quantile in powers of 1/df around the normal quantile (Abramowitz & Stegun 26.7.5), which is within 1e-4 of the
// table from df 30 on and tends to 1.959964 as df grows.

/** t(0.975, df) for df = 1 … 30. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
]

/** The standard normal quantile z(0.975). */
const Z975 = 1.959963984540054

/** t(0.975, df): the two-sided 95 % critical value of Student's t with df degrees of freedom (df ≥ 1). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`)
  if (df <= T975.length) return T975[df - 1]!
  // A&S 26.7.5: t ≈ z + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴
  const z = Z975
  const z2 = z * z
  const g1 = (z2 + 1) * z / 4
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
  const v = df
  return z + g1 / v + g2 / v ** 2 + g3 / v ** 3 + g4 / v ** 4
}

/** Mean and 95 % confidence half-width of the mean of xs (Student t with n − 1 degrees of freedom; 0 for n < 2). */
export function meanCi95(xs: readonly number[]): { mean: number; ci95: number } {
  const n = xs.length
  if (n === 0) return { mean: 0, ci95: 0 }
  let sum = 0
  for (const x of xs) sum += x
  const mean = sum / n
  if (n < 2) return { mean, ci95: 0 }
  let m2 = 0
  for (const x of xs) m2 += (x - mean) ** 2
  return { mean, ci95: tQuantile975(n - 1) * Math.sqrt(m2 / (n - 1) / n) }
}
