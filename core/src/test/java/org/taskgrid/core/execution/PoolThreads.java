package org.taskgrid.core.execution;

import java.util.Arrays;
import java.util.List;

/** What the pool threads of one actor system are doing, from a thread dump of this JVM. */
final class PoolThreads {
  private PoolThreads() {}

  /**
   * The names of the threads of {@code systemName}'s taskgrid dispatchers whose stack is inside
   * {@code taskClass}, e.g. blocked in a sleep task. Akka names pool threads
   * {@code <system>-<dispatcher id>-<n>}.
   */
  static List<String> busyIn(String systemName, Class<?> taskClass) {
    String prefix = systemName + "-taskgrid.dispatchers.";
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith(prefix))
        .filter(e -> inClass(e.getValue(), taskClass))
        .map(e -> e.getKey().getName())
        .sorted()
        .toList();
  }

  private static boolean inClass(StackTraceElement[] stack, Class<?> taskClass) {
    return Arrays.stream(stack).anyMatch(f -> f.getClassName().equals(taskClass.getName()));
  }

  /** Polls until {@code busyIn} lists {@code count} threads, or the time is up; returns the last. */
  static List<String> awaitBusy(String systemName, Class<?> taskClass, int count, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    List<String> busy = busyIn(systemName, taskClass);
    while (busy.size() != count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      busy = busyIn(systemName, taskClass);
    }
    return busy;
  }
}
