package org.taskgrid.core.execution;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/** What the threads of one actor system are doing, from a thread dump of this JVM. */
final class PoolThreads {
  private PoolThreads() {}

  /**
   * The names of the threads of {@code systemName} (its taskgrid pools, named {@code
   * <system>-taskgrid.dispatchers.<pool>-<n>}, and its default dispatcher alike) whose stack is
   * inside {@code taskClass}.
   */
  static List<String> busyIn(String systemName, Class<?> taskClass) {
    return matching(systemName, stack -> hasFrameOf(stack, taskClass.getName()));
  }

  /**
   * Like {@link #busyIn}, for threads blocked in {@code Thread.sleep} called from {@code
   * taskClass}.
   */
  static List<String> sleepingIn(String systemName, Class<?> taskClass) {
    return matching(
        systemName,
        stack ->
            hasFrameOf(stack, taskClass.getName())
                && stack.length > 0
                && stack[0].getClassName().equals(Thread.class.getName())
                && stack[0].getMethodName().startsWith("sleep"));
  }

  /** Polls until {@code lister} gives {@code count} threads or the time is up; returns the last. */
  static List<String> await(
      java.util.function.Supplier<List<String>> lister, int count, long millis)
      throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000;
    List<String> threads = lister.get();
    while (threads.size() != count && System.nanoTime() < deadline) {
      Thread.sleep(10);
      threads = lister.get();
    }
    return threads;
  }

  private static List<String> matching(String systemName, Predicate<StackTraceElement[]> test) {
    String prefix = systemName + "-";
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith(prefix))
        .filter(e -> test.test(e.getValue()))
        .map(e -> e.getKey().getName())
        .sorted()
        .toList();
  }

  private static boolean hasFrameOf(StackTraceElement[] stack, String className) {
    return Arrays.stream(stack).anyMatch(f -> f.getClassName().equals(className));
  }
}
