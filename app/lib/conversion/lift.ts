import { twoSidedP, Z_95, Z_POWER_80 } from "./normal";

/** One arm's running totals (ExperimentArmTotal), over exposed visitors. */
export interface ArmTotals {
  exposedVisitors: number;
  convertedVisitors: number;
  revenue: number;
  /** Sum over exposed visitors of their revenue squared. */
  revenueSquares: number;
}

export interface Interval {
  low: number;
  high: number;
}

/** A treatment-versus-control comparison of one metric (formulas: docs/decisions/008). */
export interface LiftEstimate {
  treatment: number;
  control: number;
  /** treatment − control, with its 95% CI. */
  difference: number;
  differenceCi: Interval;
  /** treatment / control − 1, with its 95% CI; null while control is 0. */
  relativeLift: number | null;
  relativeLiftCi: Interval | null;
  pValue: number;
  significant: boolean;
  /**
   * Exposed visitors still to come (both arms, at the current split) before a difference the
   * size of the one observed would be detected with 80% power; 0 once significant, null when it
   * cannot be estimated yet.
   */
  moreVisitorsNeeded: number | null;
}

const ALPHA = 0.05;
const interval = (centre: number, halfWidth: number): Interval => ({
  low: centre - halfWidth,
  high: centre + halfWidth,
});

/**
 * Visitors in total for 80% power at α = 0.05, two-sided, to detect `effect` with per-visitor
 * variances `varT`, `varC` when a share `controlShare` of visitors is in control.
 */
function visitorsForPower(effect: number, varT: number, varC: number, controlShare: number): number | null {
  if (!(effect > 0) || controlShare <= 0 || controlShare >= 1) return null;
  const perVisitor = varT / (1 - controlShare) + varC / controlShare;
  if (!(perVisitor > 0)) return null;
  return ((Z_95 + Z_POWER_80) ** 2 * perVisitor) / effect ** 2;
}

function moreNeeded(
  significant: boolean,
  effect: number,
  varT: number,
  varC: number,
  nT: number,
  nC: number,
): number | null {
  if (significant) return 0;
  const total = visitorsForPower(effect, varT, varC, nC / (nT + nC));
  return total === null ? null : Math.max(0, Math.ceil(total - nT - nC));
}

/**
 * Conversion rate (converted / exposed visitors). Significance: the pooled two-proportion z-test.
 * Difference CI: unpooled Wald. Relative lift CI: the log risk ratio (Katz).
 */
export function conversionLift(t: ArmTotals, c: ArmTotals): LiftEstimate | null {
  const [nT, nC] = [t.exposedVisitors, c.exposedVisitors];
  if (nT === 0 || nC === 0) return null;
  const [pT, pC] = [t.convertedVisitors / nT, c.convertedVisitors / nC];
  const difference = pT - pC;
  const pooled = (t.convertedVisitors + c.convertedVisitors) / (nT + nC);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / nT + 1 / nC));
  const pValue = pooledSe > 0 ? twoSidedP(difference / pooledSe) : 1;
  const se = Math.sqrt((pT * (1 - pT)) / nT + (pC * (1 - pC)) / nC);
  const significant = pValue < ALPHA;
  let relativeLiftCi: Interval | null = null;
  if (pT > 0 && pC > 0) {
    const logSe = Math.sqrt((1 - pT) / (nT * pT) + (1 - pC) / (nC * pC));
    const logRatio = Math.log(pT / pC);
    relativeLiftCi = { low: Math.exp(logRatio - Z_95 * logSe) - 1, high: Math.exp(logRatio + Z_95 * logSe) - 1 };
  }
  const effect = difference !== 0 ? Math.abs(difference) : pC * 0.05;
  return {
    treatment: pT,
    control: pC,
    difference,
    differenceCi: interval(difference, Z_95 * se),
    relativeLift: pC > 0 ? pT / pC - 1 : null,
    relativeLiftCi,
    pValue,
    significant,
    moreVisitorsNeeded: moreNeeded(significant, effect, pT * (1 - pT), pC * (1 - pC), nT, nC),
  };
}

/** Sample mean and variance of revenue per exposed visitor, from running sums. */
function meanAndVariance(arm: ArmTotals): { mean: number; variance: number } {
  const n = arm.exposedVisitors;
  const mean = arm.revenue / n;
  const variance = n > 1 ? Math.max(0, (arm.revenueSquares - n * mean * mean) / (n - 1)) : 0;
  return { mean, variance };
}

/**
 * Revenue per exposed visitor. Difference: Welch's z on the two means. Relative lift: the delta
 * method for a ratio of independent means, Var(R) ≈ R²·(s²ₜ/(nₜ·mₜ²) + s²꜀/(n꜀·m꜀²)).
 */
export function revenuePerVisitorLift(t: ArmTotals, c: ArmTotals): LiftEstimate | null {
  const [nT, nC] = [t.exposedVisitors, c.exposedVisitors];
  if (nT < 2 || nC < 2) return null;
  const [a, b] = [meanAndVariance(t), meanAndVariance(c)];
  const difference = a.mean - b.mean;
  const se = Math.sqrt(a.variance / nT + b.variance / nC);
  const pValue = se > 0 ? twoSidedP(difference / se) : 1;
  const significant = pValue < ALPHA;
  let relativeLift: number | null = null;
  let relativeLiftCi: Interval | null = null;
  if (a.mean > 0 && b.mean > 0) {
    const ratio = a.mean / b.mean;
    const ratioSe = ratio * Math.sqrt(a.variance / (nT * a.mean ** 2) + b.variance / (nC * b.mean ** 2));
    relativeLift = ratio - 1;
    relativeLiftCi = interval(relativeLift, Z_95 * ratioSe);
  }
  const effect = difference !== 0 ? Math.abs(difference) : b.mean * 0.05;
  return {
    treatment: a.mean,
    control: b.mean,
    difference,
    differenceCi: interval(difference, Z_95 * se),
    relativeLift,
    relativeLiftCi,
    pValue,
    significant,
    moreVisitorsNeeded: moreNeeded(significant, effect, a.variance, b.variance, nT, nC),
  };
}

export interface ExperimentLift {
  conversion: LiftEstimate | null;
  revenuePerVisitor: LiftEstimate | null;
}

export function experimentLift(treatment: ArmTotals, control: ArmTotals): ExperimentLift {
  return {
    conversion: conversionLift(treatment, control),
    revenuePerVisitor: revenuePerVisitorLift(treatment, control),
  };
}
