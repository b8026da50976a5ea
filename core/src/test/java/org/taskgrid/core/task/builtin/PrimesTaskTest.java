package org.taskgrid.core.task.builtin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.json;
import static org.taskgrid.core.task.TaskAssertions.assertRefused;
import static org.taskgrid.core.task.TaskAssertions.assertRefusedAsAWhole;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.core.task.InvalidInputException;
import org.taskgrid.core.task.RegisteredTask;
import org.taskgrid.core.task.TaskRegistry;

class PrimesTaskTest {
  private static final ActorTestKit testKit = ActorTestKit.create("PrimesTaskTest");
  private static RegisteredTask<?> primes;
  private static long maxTo;
  private static long maxRange;

  @BeforeAll
  static void loadTask() {
    primes = TaskRegistry.load(testKit.system()).find("primes").orElseThrow();
    maxTo = testKit.system().settings().config().getLong("taskgrid.tasks.primes.max-to");
    maxRange = testKit.system().settings().config().getLong("taskgrid.tasks.primes.max-range");
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static JsonNode range(long from, long to) {
    return JsonNodeFactory.instance.objectNode().put("from", from).put("to", to);
  }

  private static long count(long from, long to) throws Exception {
    JsonNode result = primes.run(range(from, to));
    assertTrue(result.isIntegralNumber(), () -> "a number, was " + result);
    return result.longValue();
  }

  /** Trial division: slow, obviously right. */
  private static boolean isPrime(long n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (long d = 3; d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  private static long naiveCount(long from, long to) {
    long count = 0;
    for (long n = from; n < to; n++) {
      if (isPrime(n)) {
        count++;
      }
    }
    return count;
  }

  @ParameterizedTest(name = "[{0}, {1}) holds {2} primes")
  @CsvSource({
    "0, 1000000, 78498",
    "0, 10, 4",
    "2, 3, 1",
    "0, 2, 0",
    "0, 3, 1",
    "1000000, 2000000, 70435",
    "0, 0, 0",
    "7, 7, 0",
    "7, 8, 1",
    "8, 11, 0",
    "0, 100, 25",
    "0, 10000000, 664579",
  })
  void countsKnownRanges(long from, long to, long expected) throws Exception {
    assertEquals(expected, count(from, to));
  }

  @Test
  void agreesWithTrialDivisionOnEverySmallRange() throws Exception {
    for (long from = 0; from <= 60; from++) {
      for (long to = from; to <= 60; to++) {
        assertEquals(naiveCount(from, to), count(from, to), "[" + from + ", " + to + ")");
      }
    }
  }

  @Test
  void agreesWithTrialDivisionOnRandomRanges() throws Exception {
    Random random = new Random(20240601);
    for (int i = 0; i < 200; i++) {
      long from = random.nextInt(2_000_000);
      long to = from + random.nextInt(3_000);
      assertEquals(naiveCount(from, to), count(from, to), "[" + from + ", " + to + ")");
    }
  }

  @Test
  void agreesWithTrialDivisionAcrossSieveSegments() throws Exception {
    // The sieve works in segments of 2^18 numbers: check ranges that start, end or straddle there.
    long segment = 1 << 18;
    long[][] ranges = {
      {0, segment + 1},
      {segment - 500, segment + 500},
      {segment, segment + 1000},
      {3 * segment - 1, 3 * segment + 1},
      {segment - 1, 2 * segment + 1},
    };
    for (long[] r : ranges) {
      assertEquals(naiveCount(r[0], r[1]), count(r[0], r[1]), "[" + r[0] + ", " + r[1] + ")");
    }
  }

  @Test
  void agreesWithTrialDivisionNearTheLargestAllowedTo() throws Exception {
    assertEquals(naiveCount(maxTo - 2000, maxTo), count(maxTo - 2000, maxTo));
    long squareOfPrime = 999_983L * 999_983L; // 999983 is the largest prime below 10^6
    assertEquals(
        naiveCount(squareOfPrime - 1000, squareOfPrime + 1000),
        count(squareOfPrime - 1000, squareOfPrime + 1000));
  }

  @Test
  void refusesMissingFields() {
    assertRefused(primes, json("{}"), "from");
    assertRefused(primes, json("{'to': 10}"), "from");
    assertRefused(primes, json("{'from': 0}"), "to");
    assertRefused(primes, json("{'from': null, 'to': 10}"), "from");
    assertRefused(primes, json("{'from': 0, 'to': null}"), "to");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "'5'",
        "1.5",
        "5.0",
        "1e3",
        "true",
        "false",
        "[5]",
        "{'n': 5}",
        "99999999999999999999",
        "-99999999999999999999"
      })
  void refusesAFromThatIsNotALong(String value) {
    assertRefused(primes, json("{'from': " + value + ", 'to': 10}"), "from");
  }

  @ParameterizedTest
  @ValueSource(strings = {"'10'", "1.5", "10.0", "true", "[10]", "99999999999999999999"})
  void refusesAToThatIsNotALong(String value) {
    assertRefused(primes, json("{'from': 0, 'to': " + value + "}"), "to");
  }

  @Test
  void refusesNegativeAndReversedRanges() {
    assertRefused(primes, json("{'from': -1, 'to': 10}"), "from");
    assertRefused(primes, json("{'from': -10, 'to': -1}"), "from");
    assertRefused(primes, json("{'from': 0, 'to': -1}"), "to");
    assertRefused(primes, json("{'from': 10, 'to': 5}"), "to");
    assertRefused(primes, json("{'from': 11, 'to': 10}"), "to");
  }

  @Test
  void refusesRangesBeyondTheConfiguredLimits() throws InvalidInputException {
    assertRefused(primes, range(0, maxRange + 1), "to");
    assertRefused(primes, range(5, 5 + maxRange + 1), "to");
    assertRefused(primes, range(maxTo - 10, maxTo + 1), "to");
    assertRefused(primes, range(maxTo + 1, maxTo + 2), "from");
    assertRefused(primes, range(Long.MAX_VALUE - 1, Long.MAX_VALUE), "from");
    // The limits themselves are allowed (validated only: counting them would take long).
    primes.validate(range(0, maxRange));
    primes.validate(range(maxTo - maxRange, maxTo));
    primes.validate(range(maxTo, maxTo));
  }

  @Test
  void refusesInputThatIsNotAnObject() {
    assertRefusedAsAWhole(primes, json("[0, 10]"));
    assertRefusedAsAWhole(primes, json("'0-10'"));
    assertRefusedAsAWhole(primes, json("10"));
    assertRefusedAsAWhole(primes, NullNode.getInstance());
    assertRefusedAsAWhole(primes, null);
  }

  @Test
  void refusesUnknownFieldsByName() {
    assertRefused(primes, json("{'from': 0, 'to': 10, 'color': 'blue'}"), "color");
  }

  @ParameterizedTest(name = "[{0}, {1}) in {2} parts")
  @CsvSource({
    "0, 1000000, 1",
    "0, 1000000, 2",
    "0, 1000000, 7",
    "0, 1000000, 64",
    "1000000, 2000000, 7",
    "17, 1018, 64",
    "10, 15, 64",
    "0, 1, 2",
    "2, 3, 7",
    "7, 7, 4",
    "0, 100, 100",
    "0, 100, 101",
  })
  void partsCoverTheRangeExactlyAndMergeToTheWhole(long from, long to, int parts) throws Exception {
    List<JsonNode> inputs = primes.split(range(from, to), parts);

    long length = to - from;
    assertEquals(Math.max(1, Math.min(parts, length)), inputs.size(), "number of parts");
    long expectedFrom = from;
    List<JsonNode> results = new ArrayList<>();
    for (JsonNode input : inputs) {
      primes.validate(input);
      long partFrom = input.get("from").longValue();
      long partTo = input.get("to").longValue();
      assertEquals(expectedFrom, partFrom, "each part starts where the previous one ended");
      assertTrue(partTo >= partFrom, "part " + input);
      if (length >= inputs.size()) {
        assertTrue(partTo > partFrom, "no empty part when there are enough numbers: " + input);
      }
      expectedFrom = partTo;
      results.add(primes.run(input));
    }
    assertEquals(to, expectedFrom, "the last part ends at 'to'");

    JsonNode merged = primes.merge(results);
    assertEquals(primes.run(range(from, to)), merged);
    assertEquals(naiveOrKnown(from, to), merged.longValue());
  }

  private static long naiveOrKnown(long from, long to) {
    if (from == 0 && to == 1_000_000) {
      return 78498;
    }
    if (from == 1_000_000 && to == 2_000_000) {
      return 70435;
    }
    return naiveCount(from, to);
  }

  @Test
  void partsAreBalanced() throws Exception {
    List<JsonNode> inputs = primes.split(range(0, 1000), 7);
    for (JsonNode input : inputs) {
      long size = input.get("to").longValue() - input.get("from").longValue();
      assertTrue(size == 142 || size == 143, "part " + input);
    }
  }

  @Test
  void mergeOfNoPartsIsZero() {
    assertEquals(0, primes.merge(List.of()).longValue());
  }

  @Test
  void splitValidatesItsInput() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> primes.split(json("{'from': 10, 'to': 5}"), 4));
    assertEquals("to", e.field().orElseThrow());
  }

  @Test
  void declaresItselfCpuBoundSplittableAndNotAsync() {
    assertTrue(primes.task().cpuBound());
    assertTrue(primes.task().splittable());
    assertFalse(primes.task().modes().contains(org.taskgrid.core.task.Mode.ASYNC));
    assertEquals(org.taskgrid.core.task.Mode.PROCESS, primes.task().defaultMode());
  }
}
