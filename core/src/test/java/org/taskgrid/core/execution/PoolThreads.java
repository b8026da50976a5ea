package org.taskgrid.core.execution;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.taskgrid.core.Await;

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

  /**
   * Polls until {@code lister} gives {@code count} threads, and returns them; fails with the last
   * list when the time is up.
   */
  static List<String> await(Supplier<List<String>> lister, int count, long millis) {
    return Await.atMost(Duration.ofMillis(millis), count + " such threads")
        .every(Duration.ofMillis(10))
        .until(lister, threads -> threads.size() == count);
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
