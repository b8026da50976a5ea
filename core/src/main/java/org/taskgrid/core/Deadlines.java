package org.taskgrid.core;

import akka.actor.typed.javadsl.TimerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The deadlines of many keys (the parts an actor holds), kept with one timer rather than a timer
 * per key: Akka's {@link TimerScheduler} keeps its timers in an immutable map, and starting and
 * cancelling one per part cost 8-12 % of a node's CPU with thousands of small parts in flight
 * (JFR, bench/run.sh W4). The actor is told {@code due} when the earliest deadline has passed and
 * then {@link #takeExpired() takes} the keys whose time is up.
 *
 * <p>The actor's own state: not thread-safe.
 *
 * @param <K> what a deadline belongs to
 */
public final class Deadlines<K> {
  private record Entry<K>(long atNanos, long sequence, K key) {}

  /** Sets the actor's one timer (its key is this object) to tell {@code due} after a delay. */
  private final Consumer<Duration> timer;
  private final Map<K, Entry<K>> byKey = new HashMap<>();
  /** By deadline, then by the order they were set (deadlines may be equal). */
  private final TreeSet<Entry<K>> byTime =
      new TreeSet<>(
          (a, b) ->
              a.atNanos != b.atNanos
                  ? Long.compare(a.atNanos, b.atNanos)
                  : Long.compare(a.sequence, b.sequence));
  private long sequence;
  /** The deadline the timer is set for, or {@link Long#MAX_VALUE} when it is not set. */
  private long armedFor = Long.MAX_VALUE;

  /**
   * @param timers the actor's timers; this object is the key of the one it takes
   * @param due what the actor is told when deadlines have passed
   */
  public <T> Deadlines(TimerScheduler<T> timers, T due) {
    this.timer = delay -> timers.startSingleTimer(this, due, delay);
  }

  /** The key's time is up {@code after} from now; replaces a deadline it had. */
  public void set(K key, Duration after) {
    cancel(key);
    long at = System.nanoTime() + after.toNanos();
    Entry<K> entry = new Entry<>(at, sequence++, key);
    byKey.put(key, entry);
    byTime.add(entry);
    if (at < armedFor) {
      arm(at);
    }
  }

  /** The key needs no deadline any more. The timer stays: it finds nothing due and moves on. */
  public void cancel(K key) {
    Entry<K> entry = byKey.remove(key);
    if (entry != null) {
      byTime.remove(entry);
    }
  }

  /**
   * On {@code due}: the keys whose deadline has passed, earliest first, forgotten from now on. The
   * timer is set again for the next deadline.
   */
  public List<K> takeExpired() {
    armedFor = Long.MAX_VALUE;
    long now = System.nanoTime();
    List<K> expired = new ArrayList<>();
    while (!byTime.isEmpty() && byTime.first().atNanos <= now) {
      Entry<K> entry = byTime.pollFirst();
      byKey.remove(entry.key);
      expired.add(entry.key);
    }
    if (!byTime.isEmpty()) {
      arm(byTime.first().atNanos);
    }
    return expired;
  }

  private void arm(long atNanos) {
    armedFor = atNanos;
    // Rounded up: the scheduler may fire late, never early, so no key is taken before its time.
    long delayNanos = Math.max(0, atNanos - System.nanoTime());
    Duration delay = Duration.ofMillis((delayNanos + 999_999) / 1_000_000);
    timer.accept(delay);
  }
}
