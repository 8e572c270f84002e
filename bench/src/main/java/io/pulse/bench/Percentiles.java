package io.pulse.bench;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a sample (no interpolation: every figure is a value that occurred).
 */
record Percentiles(int count, double p50, double p99, double p999, double max) {
  static final Percentiles NONE =
      new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  static Percentiles of(double[] sample) {
    if (sample.length == 0) {
      return NONE;
    }
    double[] sorted = sample.clone();
    Arrays.sort(sorted);
    return new Percentiles(
        sorted.length,
        rank(sorted, 0.50),
        rank(sorted, 0.99),
        rank(sorted, 0.999),
        sorted[sorted.length - 1]);
  }

  private static double rank(double[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
  }

  /** "p50 4.1 ms · p99 22.0 ms · p99.9 40.2 ms". */
  String describe() {
    if (count == 0) {
      return "no samples";
    }
    return String.format("p50 %s ms · p99 %s ms · p99.9 %s ms", ms(p50), ms(p99), ms(p999));
  }

  static String ms(double millis) {
    if (Double.isNaN(millis)) {
      return "unknown";
    }
    return millis < 10 ? String.format("%.1f", millis) : String.format("%,.0f", millis);
  }
}
