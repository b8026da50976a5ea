package org.taskgrid.core.task.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.taskgrid.core.task.InputFields;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.Mode;
import org.taskgrid.core.task.Parts;
import org.taskgrid.core.task.Task;
import org.taskgrid.core.task.TaskContext;

/**
 * Counts the primes {@code p} with {@code from <= p < to} with a segmented sieve. CPU-bound and
 * splittable: parts are sub-ranges, merge is the sum.
 */
public final class PrimesTask implements Task<PrimesTask.Range> {
  private static final int SEGMENT = 1 << 18;

  /** The half-open range {@code [from, to)}. */
  public record Range(long from, long to) {}

  @Override
  public String name() {
    return "primes";
  }

  @Override
  public String description() {
    return "Counts the primes p with from <= p < to.";
  }

  @Override
  public Mode defaultMode() {
    return Mode.PROCESS;
  }

  @Override
  public boolean splittable() {
    return true;
  }

  @Override
  public Range parse(JsonNode input, TaskContext context) throws InvalidInputException {
    InputFields.onlyFields(input, "from", "to");
    long maxTo = context.settings().getLong("max-to");
    long maxRange = context.settings().getLong("max-range");
    long from = InputFields.inRange("from", InputFields.requiredLong(input, "from"), 0, maxTo);
    long to = InputFields.requiredLong(input, "to");
    if (to < from) {
      throw new InvalidInputException("to", "field 'to' must be >= 'from'");
    }
    InputFields.inRange("to", to, from, maxTo);
    if (to - from > maxRange) {
      throw new InvalidInputException(
          "to", "the range from 'from' to 'to' may span at most " + maxRange + " numbers");
    }
    return new Range(from, to);
  }

  @Override
  public JsonNode run(Range range, TaskContext context) throws InterruptedException {
    return LongNode.valueOf(count(range.from(), range.to()));
  }

  @Override
  public Parts parts(Range range, int parts) {
    long length = range.to() - range.from();
    int count = (int) Math.max(1, Math.min(parts, length));
    // Each part is computed from its index when dispatched: nothing is held per part.
    return Parts.of(
        count,
        i ->
            JsonNodeFactory.instance
                .objectNode()
                .put("from", range.from() + length * i / count)
                .put("to", range.from() + length * (i + 1) / count));
  }

  @Override
  public JsonNode merge(List<JsonNode> partResults) {
    long sum = 0;
    for (JsonNode part : partResults) {
      sum += part.longValue();
    }
    return LongNode.valueOf(sum);
  }

  static long count(long from, long to) throws InterruptedException {
    long low = Math.max(from, 2);
    if (low >= to) {
      return 0;
    }
    int[] basePrimes = primesUpTo((int) Math.sqrt((double) (to - 1)) + 1);
    BitSet composite = new BitSet(SEGMENT);
    long total = 0;
    for (long start = low; start < to; start += SEGMENT) {
      if (Thread.interrupted()) {
        throw new InterruptedException("primes interrupted at " + start);
      }
      long end = Math.min(start + SEGMENT, to);
      composite.clear();
      for (int p : basePrimes) {
        long square = (long) p * p;
        if (square >= end) {
          break;
        }
        long first = Math.max(square, (start + p - 1) / p * p);
        for (long multiple = first; multiple < end; multiple += p) {
          composite.set((int) (multiple - start));
        }
      }
      total += (end - start) - composite.cardinality();
    }
    return total;
  }

  /** The primes {@code <= limit}, with a plain sieve of Eratosthenes. */
  private static int[] primesUpTo(int limit) {
    BitSet composite = new BitSet(limit + 1);
    for (int i = 2; (long) i * i <= limit; i++) {
      if (!composite.get(i)) {
        for (int multiple = i * i; multiple <= limit; multiple += i) {
          composite.set(multiple);
        }
      }
    }
    return IntStream.rangeClosed(2, limit).filter(i -> !composite.get(i)).toArray();
  }
}
