#include "analysis/judge/mann_whitney.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace devflow::analysis::judge {
namespace {

// Independent reference computations (brute force over all pairs, no ranks, no root finding).

// W counted pair by pair: x_i > y_j counts 1, a tie 1/2.
double PairCountW(const std::vector<double>& x, const std::vector<double>& y) {
  double w = 0;
  for (double a : x) {
    for (double b : y) {
      w += a > b ? 1 : (a == b ? 0.5 : 0);
    }
  }
  return w;
}

// The n m differences x_i - y_j, sorted ascending (with multiplicity).
std::vector<double> SortedDifferences(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> d;
  for (double a : x) {
    for (double b : y) {
      d.push_back(a - b);
    }
  }
  std::sort(d.begin(), d.end());
  return d;
}

// For samples without ties, the roots of z(mu) = +-z_q are order statistics of the differences:
// z(mu) changes value only where mu crosses a difference, and between differences
// dz = #{D > mu} - N/2 with sigma = sqrt(n m (n + m + 1) / 12) constant. Solving
// (dz - 0.5) / sigma > z_q gives #{D > mu} > c with c = N/2 + 0.5 + z_q sigma, so the lower end is
// D_(N - floor(c)) (1-based); the upper end is D_(N - floor(c')) with c' = N/2 - 0.5 - z_q sigma.
// This is the classical closed form of the rank-sum confidence interval (Hollander & Wolfe,
// "Nonparametric Statistical Methods", ch. 4), with R's continuity correction folded into c.
struct OrderStatisticInterval {
  double lower;
  double upper;
};
OrderStatisticInterval ClosedFormInterval(const std::vector<double>& x,
                                          const std::vector<double>& y, double z_q) {
  const std::vector<double> d = SortedDifferences(x, y);
  const double n = static_cast<double>(x.size());
  const double m = static_cast<double>(y.size());
  const double total = n * m;
  const double sigma = std::sqrt(n * m * (n + m + 1) / 12);
  const double c = total / 2 + 0.5 + z_q * sigma;
  const double c_prime = total / 2 - 0.5 - z_q * sigma;
  const size_t lower_index = static_cast<size_t>(total - std::floor(c)) - 1;
  const size_t upper_index = static_cast<size_t>(total - std::floor(c_prime)) - 1;
  return {d[lower_index], d[upper_index]};
}

TEST(MannWhitneyNormal, GivenProbabilitiesWhenInvertedThenMatchRsQnorm) {
  // Expected values are R's qnorm (Wichura's AS241, accurate to 1e-16), the same algorithm as
  // Python's statistics.NormalDist().inv_cdf, which printed these digits.
  struct Row {
    const char* name;
    double p;
    double want;
  };
  const Row rows[] = {
      {"the median", 0.5, 0.0},
      {"the 97.5% point used by 95% intervals", 0.975, 1.9599639845400536},
      {"the 2.5% point is its mirror", 0.025, -1.9599639845400536},
      {"the 99% point used by Kayenta's 98% intervals", 0.99, 2.3263478740408408},
      {"the 99.5% point", 0.995, 2.5758293035489},
      {"pnorm(1) maps back to 1", 0.8413447460685429, 1.0},
      {"a far lower tail", 1e-10, -6.361340902404056},
      {"an extreme lower tail", 1e-300, -37.0470962993612},
      {"a far upper tail", 0.999999, 4.753424308817089},
      {"an interior point", 0.3, -0.5244005127080407},
  };
  for (const Row& row : rows) {
    EXPECT_NEAR(NormalQuantile(row.p), row.want, 1e-12 * std::max(1.0, std::fabs(row.want)))
        << row.name;
  }
}

TEST(MannWhitneyNormal, GivenQuantileWhenFedToTheCdfThenTheProbabilityComesBack) {
  for (double p : {1e-200, 1e-20, 1e-5, 0.01, 0.1, 0.25, 0.5, 0.6, 0.9, 0.99, 0.9999}) {
    // Phi is ill-conditioned in the far tail: a 1-ulp error in z moves Phi(z) by about
    // |z| * ulp(z) relative (2e-13 at p = 1e-200, z = -30), hence 1e-12.
    EXPECT_NEAR(NormalCdf(NormalQuantile(p)), p, 1e-12 * p) << "p=" << p;
  }
}

TEST(MannWhitneyNormal, GivenProbabilitiesOutsideTheOpenIntervalThenInfinitiesOrNaN) {
  EXPECT_EQ(NormalQuantile(0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(NormalQuantile(1), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(NormalQuantile(-0.1)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1.5)));
  EXPECT_TRUE(std::isnan(NormalQuantile(std::nan(""))));
}

TEST(MannWhitneyBrent, GivenBracketedRootsWhenSolvedThenFoundWithinTolerance) {
  struct Row {
    const char* name;
    std::function<double(double)> f;
    double lo, hi, want;
  };
  const Row rows[] = {
      {"square root of two", [](double x) { return x * x - 2; }, 0, 2, std::sqrt(2.0)},
      {"the fixed point of cos (0.7390851332151607, the Dottie number)",
       [](double x) { return std::cos(x) - x; }, 0, 1, 0.7390851332151607},
      {"a triple root, where interpolation is slow", [](double x) { return x * x * x; }, -1, 2, 0},
      {"a decreasing step function changes sign at 0.3",
       [](double x) { return x < 0.3 ? 1.0 : -1.0; }, 0, 1, 0.3},
      {"a root at the lower end", [](double x) { return x - 1; }, 1, 5, 1},
      {"a root at the upper end", [](double x) { return x - 5; }, 1, 5, 5},
  };
  for (const Row& row : rows) {
    const double root = FindRootBrent(row.f, row.lo, row.hi, row.f(row.lo), row.f(row.hi), 1e-12);
    // A triple root is flat: f is below 1e-30 over a wide range, but the bracket still narrows.
    EXPECT_NEAR(root, row.want, 1e-9) << row.name;
  }
}

TEST(MannWhitneyTest, GivenRsDocumentedExampleWhenTestedThenRsStatisticAndHandDerivedPValue) {
  // ?wilcox.test's two-sample example (permeability constants): R prints W = 35.
  const std::vector<double> x = {0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46};
  const std::vector<double> y = {1.15, 0.88, 0.90, 0.74, 1.21};
  auto result = MannWhitneyTest(x, y, 0.95);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->w, 35);
  EXPECT_EQ(PairCountW(x, y), 35);
  // By hand: no ties, so sigma = sqrt(10 * 5 * 16 / 12) = sqrt(66.67) = 8.165; dz = 35 - 25 = 10;
  // z = (10 - 0.5) / 8.165 = 1.16351, p = erfc(z / sqrt 2) = 0.24462 (R: "p-value = 0.2446").
  const double z = 9.5 / std::sqrt(50.0 * 16 / 12);
  EXPECT_NEAR(result->z, z, 1e-12);
  EXPECT_NEAR(result->p_value, std::erfc(z / std::sqrt(2.0)), 1e-12);
  EXPECT_NEAR(result->p_value, 0.24462360512698333, 1e-12);
  // The interval ends are order statistics of the 50 differences (see ClosedFormInterval):
  // c = 25 + 0.5 + 1.96 * 8.165 = 41.50, so lower = D_(9); c' = 8.50, so upper = D_(42).
  const OrderStatisticInterval want = ClosedFormInterval(x, y, 1.9599639845400536);
  const std::vector<double> d = SortedDifferences(x, y);
  EXPECT_EQ(want.lower, d[8]);
  EXPECT_EQ(want.upper, d[41]);
  EXPECT_NEAR(result->lower, want.lower, 1e-9);
  EXPECT_NEAR(result->upper, want.upper, 1e-9);
  // 50 differences: dz = 0 between the 25th and 26th, so any point there is the estimate.
  EXPECT_GE(result->estimate, d[24] - 1e-9);
  EXPECT_LE(result->estimate, d[25] + 1e-9);
}

TEST(MannWhitneyTest, GivenThreeBelowThreeWhenTestedThenRangeEndsAsRDoesForTinySamples) {
  const std::vector<double> x = {1, 2, 3};
  const std::vector<double> y = {4, 5, 6};
  auto result = MannWhitneyTest(x, y, 0.95);
  ASSERT_TRUE(result.ok()) << result.status();
  // By hand: W = 0, dz = -4.5, sigma = sqrt(9 * 7 / 12) = sqrt(5.25), z = -4 / sqrt(5.25).
  EXPECT_EQ(result->w, 0);
  EXPECT_NEAR(result->z, -4 / std::sqrt(5.25), 1e-12);
  EXPECT_NEAR(result->p_value, 0.0808555983700523, 1e-12);  // R: "p-value = 0.08086"
  // With 9 pairs even the most extreme shift is not significant at 95%, so R returns the ends
  // of [min(x) - max(y), max(x) - min(y)] = [-5, -1].
  EXPECT_EQ(result->lower, -5);
  EXPECT_EQ(result->upper, -1);
  // The 9 differences are -5 -4 -4 -3 -3 -3 -2 -2 -1: the median is -3.
  EXPECT_NEAR(result->estimate, -3, 1e-9);
}

TEST(MannWhitneyTest, GivenTiesWhenTestedThenAverageRanksAndTieCorrectedVariance) {
  const std::vector<double> x = {1, 2, 2, 3};
  const std::vector<double> y = {2, 3, 4};
  auto result = MannWhitneyTest(x, y, 0.95);
  ASSERT_TRUE(result.ok()) << result.status();
  // By hand: pooled 1 2 2 2 3 3 4; pairs x > y: the 2s tie one 2 each (1/2 + 1/2), the 3 beats
  // a 2 and ties a 3 (1 + 1/2): W = 2.5. Tie groups of 3 and 2: sum(t^3 - t) = 24 + 6 = 30;
  // sigma^2 = 4 * 3 / 12 * (8 - 30 / (7 * 6)) = 7.2857; dz = 2.5 - 6 = -3.5, corrected -3.
  EXPECT_EQ(result->w, 2.5);
  EXPECT_EQ(PairCountW(x, y), 2.5);
  const double z = -3 / std::sqrt(8 - 30.0 / 42);
  EXPECT_NEAR(result->z, z, 1e-12);
  EXPECT_NEAR(result->p_value, std::erfc(-z / std::sqrt(2.0)), 1e-12);
}

TEST(MannWhitneyTest, GivenContinuousSamplesWhenTestedThenIntervalIsTheClosedFormOrderStatistics) {
  // Seeded draws, so the case is the same on every run. 41 * 49 = 2009 differences (odd), so
  // the Hodges-Lehmann estimate is exactly the 1005th.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::vector<double> x(41);
  std::vector<double> y(49);
  for (double& v : x) v = 10 + 3 * uniform(rng);
  for (double& v : y) v = 9 + 3 * uniform(rng);
  for (double level : {0.90, 0.95, 0.98}) {
    auto result = MannWhitneyTest(x, y, level);
    ASSERT_TRUE(result.ok()) << result.status();
    const OrderStatisticInterval want =
        ClosedFormInterval(x, y, NormalQuantile(1 - (1 - level) / 2));
    EXPECT_NEAR(result->lower, want.lower, 1e-9) << level;
    EXPECT_NEAR(result->upper, want.upper, 1e-9) << level;
    EXPECT_NEAR(result->estimate, SortedDifferences(x, y)[1004], 1e-9) << level;
    EXPECT_EQ(result->w, PairCountW(x, y)) << level;
    EXPECT_LT(result->lower, result->estimate);
    EXPECT_LT(result->estimate, result->upper);
  }
}

TEST(MannWhitneyTest, GivenSwappedOrShiftedSamplesThenTheShiftIsEquivariant) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0, 1);
  // 31 * 25 differences (odd): the estimate is one of them, not any point between the middle
  // two, so it must move exactly with the data.
  std::vector<double> x(31);
  std::vector<double> y(25);
  for (double& v : x) v = normal(rng);
  for (double& v : y) v = normal(rng) + 0.5;
  auto forward = MannWhitneyTest(x, y, 0.95);
  auto backward = MannWhitneyTest(y, x, 0.95);
  ASSERT_TRUE(forward.ok() && backward.ok());
  EXPECT_NEAR(backward->estimate, -forward->estimate, 1e-9);
  EXPECT_NEAR(backward->lower, -forward->upper, 1e-9);
  EXPECT_NEAR(backward->upper, -forward->lower, 1e-9);
  EXPECT_NEAR(backward->p_value, forward->p_value, 1e-12);
  EXPECT_EQ(backward->w, 31 * 25 - forward->w);

  // Shifting x by 2 shifts the estimate and the interval by 2 (the pairs' order is unchanged;
  // 2 is a power of two, so no difference rounds differently).
  std::vector<double> shifted = x;
  for (double& v : shifted) v += 2;
  auto moved = MannWhitneyTest(shifted, y, 0.95);
  ASSERT_TRUE(moved.ok());
  EXPECT_NEAR(moved->estimate, forward->estimate + 2, 1e-8);
  EXPECT_NEAR(moved->lower, forward->lower + 2, 1e-8);
  EXPECT_NEAR(moved->upper, forward->upper + 2, 1e-8);
}

TEST(MannWhitneyTest, GivenConstantSamplesThenTheExactShiftInsteadOfRsError) {
  struct Row {
    const char* name;
    std::vector<double> x, y;
    double want_shift, want_w, want_z, want_p;
  };
  const Row rows[] = {
      // Tie groups {3,3} and {5,5,5}: sum(t^3 - t) = 6 + 24 = 30, sigma^2 = 6/12 * (6 - 30/20)
      // = 2.25; dz = 6 - 3 = 3, corrected 2.5: z = 2.5 / 1.5.
      {"five above three",
       {5, 5, 5},
       {3, 3},
       2,
       6,
       2.5 / 1.5,
       std::erfc(2.5 / 1.5 / std::sqrt(2.0))},
      {"all equal", {1, 1}, {1, 1, 1}, 0, 3, 0, 1},
  };
  for (const Row& row : rows) {
    auto result = MannWhitneyTest(row.x, row.y, 0.98);
    ASSERT_TRUE(result.ok()) << row.name << ": " << result.status();
    EXPECT_EQ(result->estimate, row.want_shift) << row.name;
    EXPECT_EQ(result->lower, row.want_shift) << row.name;
    EXPECT_EQ(result->upper, row.want_shift) << row.name;
    EXPECT_EQ(result->w, row.want_w) << row.name;
    EXPECT_NEAR(result->z, row.want_z, 1e-12) << row.name;
    EXPECT_NEAR(result->p_value, row.want_p, 1e-12) << row.name;
  }
}

TEST(MannWhitneyTest, GivenUnusableInputThenInvalidArgument) {
  struct Row {
    const char* name;
    std::vector<double> x, y;
    double level;
  };
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  const Row rows[] = {
      {"empty x", {}, {1}, 0.95},        {"empty y", {1}, {}, 0.95},
      {"NaN in x", {1, nan}, {1}, 0.95}, {"infinity in y", {1}, {inf}, 0.95},
      {"level 1", {1}, {2}, 1.0},        {"level 0", {1}, {2}, 0.0},
  };
  for (const Row& row : rows) {
    auto result = MannWhitneyTest(row.x, row.y, row.level);
    ASSERT_FALSE(result.ok()) << row.name;
    EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument) << row.name;
  }
}

}  // namespace
}  // namespace devflow::analysis::judge
