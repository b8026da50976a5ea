package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Deadlines in a real actor with real timers: each key expires once, in order, never early. */
class DeadlinesTest {
  private static final ActorTestKit testKit = ActorTestKit.create("DeadlinesTest");
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private sealed interface Command {}

  private record SetDeadline(String key, long millis) implements Command {}

  private record Cancel(String key) implements Command {}

  private enum Due implements Command {
    INSTANCE
  }

  /** The keys one {@code due} took, and when (nanoTime). */
  private record Expired(List<String> keys, long atNanos) {}

  private static Behavior<Command> keeper(ActorRef<Expired> report) {
    return Behaviors.withTimers(
        timers -> {
          Deadlines<String> deadlines = new Deadlines<>(timers, (Command) Due.INSTANCE);
          return Behaviors.receive(Command.class)
              .onMessage(SetDeadline.class, set -> {
                deadlines.set(set.key(), Duration.ofMillis(set.millis()));
                return Behaviors.same();
              })
              .onMessage(Cancel.class, cancel -> {
                deadlines.cancel(cancel.key());
                return Behaviors.same();
              })
              .onMessageEquals(Due.INSTANCE, () -> {
                List<String> keys = deadlines.takeExpired();
                if (!keys.isEmpty()) {
                  report.tell(new Expired(keys, System.nanoTime()));
                }
                return Behaviors.same();
              })
              .build();
        });
  }

  /** Every key reported until {@code count} came, bounded by WAIT per report. */
  private static List<String> expire(TestProbe<Expired> probe, int count) {
    List<String> keys = new ArrayList<>();
    while (keys.size() < count) {
      keys.addAll(probe.receiveMessage(WAIT).keys());
    }
    return keys;
  }

  @Test
  void keysExpireInTheOrderOfTheirDeadlinesAndNotBefore() {
    TestProbe<Expired> probe = testKit.createTestProbe();
    ActorRef<Command> keeper = testKit.spawn(keeper(probe.ref()));
    long start = System.nanoTime();
    keeper.tell(new SetDeadline("late", 300));
    keeper.tell(new SetDeadline("early", 100));
    keeper.tell(new SetDeadline("middle", 200));

    List<Expired> reports = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    while (keys.size() < 3) {
      Expired expired = probe.receiveMessage(WAIT);
      reports.add(expired);
      keys.addAll(expired.keys());
    }
    assertEquals(List.of("early", "middle", "late"), keys);
    Expired last = reports.get(reports.size() - 1);
    assertTrue(last.atNanos() - start >= Duration.ofMillis(300).toNanos(), "not before its time");
    probe.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aCancelledKeyNeverExpiresAndASetAgainMovesTheDeadline() {
    TestProbe<Expired> probe = testKit.createTestProbe();
    ActorRef<Command> keeper = testKit.spawn(keeper(probe.ref()));
    long start = System.nanoTime();
    keeper.tell(new SetDeadline("cancelled", 50));
    keeper.tell(new SetDeadline("moved", 50));
    keeper.tell(new SetDeadline("kept", 100));
    keeper.tell(new Cancel("cancelled"));
    keeper.tell(new SetDeadline("moved", 400));

    assertEquals(List.of("kept"), probe.receiveMessage(WAIT).keys());
    Expired moved = probe.receiveMessage(WAIT);
    assertEquals(List.of("moved"), moved.keys());
    assertTrue(moved.atNanos() - start >= Duration.ofMillis(400).toNanos(), "at its new deadline");
    probe.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void manyKeysWithOneDeadlineAllExpireOnce() {
    TestProbe<Expired> probe = testKit.createTestProbe();
    ActorRef<Command> keeper = testKit.spawn(keeper(probe.ref()));
    for (int i = 0; i < 10_000; i++) {
      keeper.tell(new SetDeadline("part-" + i, 100));
    }
    List<String> keys = expire(probe, 10_000);
    assertEquals(10_000, keys.size());
    assertEquals(10_000, new java.util.HashSet<>(keys).size(), "each once");
    probe.expectNoMessage(Duration.ofMillis(300));
  }
}
