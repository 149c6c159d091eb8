// The two-sample Mann-Whitney U test (Wilcoxon rank-sum test), computed as R's
// wilcox.test(x, y, conf.int = TRUE, exact = FALSE, correct = TRUE) computes it, plus the normal
// distribution and the root finder it needs. Pure functions of their arguments; no external
// libraries. docs/analysis.md, "The statistical judge", gives the formulas.
//
// The statistic as a function of a location shift mu (x is moved by -mu):
//   ranks     of the pooled sample (x - mu, y), ties getting their average rank
//   W(mu)     = sum of the ranks of x - n(n+1)/2: the pairs with x_i - mu > y_j, ties counting 1/2
//   dz(mu)    = W(mu) - n m / 2
//   sigma(mu) = sqrt(n m / 12 * ((n + m + 1) - sum_over_tie_groups(t^3 - t) / ((n + m)(n + m -
//   1)))) z(mu)     = (dz - 0.5 sign(dz)) / sigma        (continuity correction)
// The test is z(0) with a two-sided normal p-value. The confidence interval for the shift x - y
// holds the mu with |z(mu)| <= z_{1-alpha/2}: its ends are the roots of z(mu) = +-z_{1-alpha/2},
// found by Brent's method on [min(x) - max(y), max(x) - min(y)] (an end of that range when the
// root lies beyond it, as R does for tiny samples). The estimate is the root of dz(mu) = 0
// (without the correction, as R does): the Hodges-Lehmann estimator, the median of the n m
// differences x_i - y_j.
#pragma once

#include <functional>
#include <span>

#include "common/result.h"

namespace devflow::analysis::judge {

// The standard normal distribution function Phi(z) = P(Z <= z), from std::erfc (accurate in
// both tails).
double NormalCdf(double z);

// The quantile function Phi^-1(p): the z with Phi(z) = p, to about 1e-15 relative accuracy.
// Returns -infinity for p == 0, +infinity for p == 1 and NaN outside [0, 1] or for NaN.
double NormalQuantile(double p);

// Finds a root of `f` in [lo, hi] by Brent's method (inverse quadratic interpolation, secant
// and bisection steps), stopping when the bracket is narrower than about 2 * tolerance.
// f_lo and f_hi are f(lo) and f(hi), already computed by the caller. Works for step functions:
// it then returns a point within the tolerance of where f changes sign.
// REQUIRES: lo <= hi; f_lo and f_hi are not of the same strict sign (f_lo * f_hi <= 0);
// tolerance > 0.
double FindRootBrent(const std::function<double(double)>& f, double lo, double hi, double f_lo,
                     double f_hi, double tolerance);

// What MannWhitneyTest computed. All shifts are in the samples' unit, as x - y.
struct MannWhitneyResult {
  // W: the number of pairs (x_i, y_j) with x_i > y_j, ties counting 1/2 (R's "W"). W / (n m) is
  // the common-language effect size P(X > Y) + P(X = Y) / 2.
  double w = 0;
  double z = 0;         // the continuity-corrected normal statistic at mu = 0
  double p_value = 1;   // two-sided
  double estimate = 0;  // the Hodges-Lehmann estimate of the shift x - y
  double lower = 0;     // the confidence interval of the shift: [lower, upper]
  double upper = 0;
  friend bool operator==(const MannWhitneyResult&, const MannWhitneyResult&) = default;
};

// Tests whether x and y differ by a location shift, and estimates the shift with a confidence
// interval at `confidence_level` (Kayenta's judge uses 0.98).
//
// Degenerate samples, where R stops with "cannot compute confidence interval when all
// observations are tied", get exact answers instead: when every value of x equals c and every
// value of y equals d, the shift is exactly c - d, so estimate = lower = upper = c - d (and
// when c == d, z = 0 and p_value = 1). Kayenta adds tiny Gaussian noise in this case; the exact
// answer is what that noise approximates, and keeps the function deterministic.
//
// Returns InvalidArgument when x or y is empty, when a value is not finite (NaN handling is
// the caller's: see metric_classification.h), or when confidence_level is not in (0, 1).
Result<MannWhitneyResult> MannWhitneyTest(std::span<const double> x, std::span<const double> y,
                                          double confidence_level = 0.95);

}  // namespace devflow::analysis::judge
