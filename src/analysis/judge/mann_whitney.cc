#include "analysis/judge/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/status.h"

namespace devflow::analysis::judge {
namespace {

constexpr double kSqrt2 = 1.4142135623730950488;
constexpr double kSqrt2Pi = 2.5066282746310005024;

// Phi(z) - p, computed from the tail that keeps relative precision.
double CdfMinus(double z, double p) { return NormalCdf(z) - p; }

// dz(mu) and sigma(mu) of the header, for a fixed pair of samples. The samples are sorted once;
// moving x by -mu keeps its order, so each evaluation is one merge of two sorted lists (O(n + m))
// instead of a sort.
class ShiftStatistic {
 public:
  ShiftStatistic(std::span<const double> x, std::span<const double> y)
      : x_(x.begin(), x.end()), y_(y.begin(), y.end()) {
    std::sort(x_.begin(), x_.end());
    std::sort(y_.begin(), y_.end());
  }

  double n() const { return static_cast<double>(x_.size()); }
  double m() const { return static_cast<double>(y_.size()); }
  double min_x() const { return x_.front(); }
  double max_x() const { return x_.back(); }
  double min_y() const { return y_.front(); }
  double max_y() const { return y_.back(); }

  struct Point {
    double w = 0;      // the rank sum of x minus n(n+1)/2
    double dz = 0;     // w - n m / 2
    double sigma = 0;  // the tie-corrected standard deviation of w
  };

  Point At(double mu) const {
    size_t i = 0;
    size_t j = 0;
    double position = 0;  // ranks handed out so far
    double rank_sum_x = 0;
    double tie_sum = 0;  // sum of t^3 - t over groups of t equal values
    while (i < x_.size() || j < y_.size()) {
      double value = i < x_.size() ? x_[i] - mu : std::numeric_limits<double>::infinity();
      if (j < y_.size()) {
        value = std::min(value, y_[j]);
      }
      double from_x = 0;
      while (i < x_.size() && x_[i] - mu == value) {
        ++i;
        ++from_x;
      }
      double from_y = 0;
      while (j < y_.size() && y_[j] == value) {
        ++j;
        ++from_y;
      }
      const double t = from_x + from_y;
      const double average_rank = position + (t + 1) / 2;
      rank_sum_x += from_x * average_rank;
      tie_sum += t * t * t - t;
      position += t;
    }
    const double n = this->n();
    const double m = this->m();
    const double total = n + m;
    Point p;
    p.w = rank_sum_x - n * (n + 1) / 2;
    p.dz = p.w - n * m / 2;
    const double variance = n * m / 12 * ((total + 1) - tie_sum / (total * (total - 1)));
    p.sigma = variance > 0 ? std::sqrt(variance) : 0;
    return p;
  }

  // z(mu) - zq, with or without the continuity correction. REQUIRES: sigma(mu) > 0, which holds
  // unless both samples are constant (handled before any root is searched).
  double Z(double mu, bool correct) const {
    const Point p = At(mu);
    double numerator = p.dz;
    if (correct && p.dz != 0) {
      numerator -= p.dz > 0 ? 0.5 : -0.5;
    }
    return numerator / p.sigma;
  }

 private:
  std::vector<double> x_;
  std::vector<double> y_;
};

// The mu in [lo, hi] where z(mu) - zq changes sign; z decreases with mu. An end of the range
// when the sign does not change inside it (R's behaviour for tiny samples).
double SolveShift(const ShiftStatistic& statistic, double zq, bool correct, double lo, double hi) {
  auto f = [&](double mu) { return statistic.Z(mu, correct) - zq; };
  const double f_lo = f(lo);
  if (f_lo <= 0) {
    return lo;
  }
  const double f_hi = f(hi);
  if (f_hi >= 0) {
    return hi;
  }
  // R's uniroot stops at an absolute 1e-4; a step function's sign change is worth locating
  // much closer, relative to the range, so that small-valued metrics (seconds, ratios) keep
  // their precision.
  const double tolerance = std::max((hi - lo) * 1e-12, std::numeric_limits<double>::min());
  return FindRootBrent(f, lo, hi, f_lo, f_hi, tolerance);
}

}  // namespace

double NormalCdf(double z) { return 0.5 * std::erfc(-z / kSqrt2); }

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (p == 0) {
    return -std::numeric_limits<double>::infinity();
  }
  if (p == 1) {
    return std::numeric_limits<double>::infinity();
  }
  if (p == 0.5) {
    return 0;
  }
  // Start from Abramowitz & Stegun 26.2.23 (absolute error < 4.5e-4) on the lower tail, then
  // polish with Halley's method on Phi(z) = p, which converges cubically.
  const double tail = std::min(p, 1 - p);
  const double t = std::sqrt(-2 * std::log(tail));
  double z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                     (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  z = -z;  // the quantile of `tail` is in the lower half
  for (int i = 0; i < 4; ++i) {
    const double density = std::exp(-0.5 * z * z) / kSqrt2Pi;
    if (density == 0) {
      break;
    }
    const double u = CdfMinus(z, tail) / density;
    z -= u / (1 + 0.5 * z * u);
  }
  return p < 0.5 ? z : -z;
}

double FindRootBrent(const std::function<double(double)>& f, double lo, double hi, double f_lo,
                     double f_hi, double tolerance) {
  // The bracket is [b, c] (in either order): b is the best guess, a the previous one.
  double a = lo;
  double b = hi;
  double c = hi;
  double fa = f_lo;
  double fb = f_hi;
  double fc = f_hi;
  double step = 0;
  double previous_step = 0;
  constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
  for (int iteration = 0; iteration < 1000; ++iteration) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      // The root is between a and b: make c the other end of the bracket.
      c = a;
      fc = fa;
      step = previous_step = b - a;
    }
    if (std::fabs(fc) < std::fabs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const double tol = 2 * kEpsilon * std::fabs(b) + 0.5 * tolerance;
    const double half = 0.5 * (c - b);
    if (std::fabs(half) <= tol || fb == 0) {
      return b;
    }
    if (std::fabs(previous_step) >= tol && std::fabs(fa) > std::fabs(fb)) {
      // Interpolate: secant when only two points are known, inverse quadratic otherwise.
      const double s = fb / fa;
      double p;
      double q;
      if (a == c) {
        p = 2 * half * s;
        q = 1 - s;
      } else {
        const double qa = fa / fc;
        const double r = fb / fc;
        p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) {
        q = -q;
      } else {
        p = -p;
      }
      // Accept the interpolation only when it falls well inside the bracket and shrinks
      // faster than bisection would; otherwise bisect.
      if (2 * p < std::min(3 * half * q - std::fabs(tol * q), std::fabs(previous_step * q))) {
        previous_step = step;
        step = p / q;
      } else {
        step = half;
        previous_step = step;
      }
    } else {
      step = half;
      previous_step = step;
    }
    a = b;
    fa = fb;
    b += std::fabs(step) > tol ? step : (half > 0 ? tol : -tol);
    fb = f(b);
  }
  return b;
}

Result<MannWhitneyResult> MannWhitneyTest(std::span<const double> x, std::span<const double> y,
                                          double confidence_level) {
  if (x.empty() || y.empty()) {
    return InvalidArgumentError("both samples need at least one value, got " +
                                std::to_string(x.size()) + " and " + std::to_string(y.size()));
  }
  for (std::span<const double> sample : {x, y}) {
    for (double v : sample) {
      if (!std::isfinite(v)) {
        return InvalidArgumentError("samples must hold finite numbers, got " + std::to_string(v));
      }
    }
  }
  if (!(confidence_level > 0 && confidence_level < 1)) {
    return InvalidArgumentError("confidence level must be in (0, 1), got " +
                                std::to_string(confidence_level));
  }

  const ShiftStatistic statistic(x, y);
  const ShiftStatistic::Point at_zero = statistic.At(0);
  MannWhitneyResult result;
  result.w = at_zero.w;
  if (at_zero.sigma > 0) {
    double numerator = at_zero.dz;
    if (numerator != 0) {
      numerator -= numerator > 0 ? 0.5 : -0.5;
    }
    result.z = numerator / at_zero.sigma;
    result.p_value = std::min(1.0, std::erfc(std::fabs(result.z) / kSqrt2));
  }

  const double lo = statistic.min_x() - statistic.max_y();
  const double hi = statistic.max_x() - statistic.min_y();
  if (statistic.min_x() == statistic.max_x() && statistic.min_y() == statistic.max_y()) {
    // Both samples constant: lo == hi is the exact shift, and every pooled value ties there.
    result.estimate = result.lower = result.upper = lo;
    return result;
  }
  const double zq = NormalQuantile(1 - (1 - confidence_level) / 2);
  result.lower = SolveShift(statistic, zq, /*correct=*/true, lo, hi);
  result.upper = SolveShift(statistic, -zq, /*correct=*/true, lo, hi);
  result.estimate = SolveShift(statistic, 0, /*correct=*/false, lo, hi);
  return result;
}

}  // namespace devflow::analysis::judge
