package org.taskgrid.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Parts per second and the time left, measured from when the CLI started the job (none of its
 * parts had finished then). The clock is a parameter so that tests can drive it.
 */
final class ProgressRate {
  private final LongSupplier nanoClock;
  private final long startNanos;

  ProgressRate(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  /** Parts per second so far; empty until a part finished. */
  OptionalDouble partsPerSecond(JobProgress progress) {
    double seconds = elapsed().toNanos() / 1e9;
    if (progress.finished() <= 0 || seconds <= 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(progress.finished() / seconds);
  }

  /** The time left at the rate so far; empty while the rate is unknown. */
  Optional<Duration> timeLeft(JobProgress progress) {
    OptionalDouble rate = partsPerSecond(progress);
    if (rate.isEmpty()) {
      return Optional.empty();
    }
    int left = Math.max(0, progress.parts() - progress.finished());
    return Optional.of(Duration.ofMillis(Math.round(left / rate.getAsDouble() * 1000)));
  }

  Duration elapsed() {
    return Duration.ofNanos(nanoClock.getAsLong() - startNanos);
  }

  /** {@code 0:05}, {@code 12:34}, {@code 1:02:03}: minutes and seconds, hours when needed. */
  static String clock(Duration duration) {
    long seconds = Math.max(0, (duration.toMillis() + 500) / 1000);
    long hours = seconds / 3600;
    long minutes = seconds / 60 % 60;
    long secs = seconds % 60;
    return hours > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
        : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
  }

  /** {@code 12.3/s}, {@code 1234/s}, or {@code --/s} while unknown. */
  static String perSecond(OptionalDouble rate) {
    if (rate.isEmpty()) {
      return "--/s";
    }
    double value = rate.getAsDouble();
    return value >= 100
        ? String.format(Locale.ROOT, "%.0f/s", value)
        : String.format(Locale.ROOT, "%.1f/s", value);
  }
}
