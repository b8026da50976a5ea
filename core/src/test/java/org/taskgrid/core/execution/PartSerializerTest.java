package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.json;

import akka.actor.ExtendedActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.PartProtocol.CancelPart;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartOutcomes;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.execution.PartProtocol.RunParts;
import org.taskgrid.core.task.Mode;

/**
 * {@link PartSerializer}: the messages that carry parts keep every value through it, it is the one
 * Akka picks for them, it refuses bad bytes without hanging, and it is smaller than jackson-cbor.
 */
class PartSerializerTest {
  // Remoting on (loopback, any port, from the test application.conf), so that actor addresses are
  // written with host and port as between nodes.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "PartSerializerTest",
          ConfigFactory.load(
              ConfigFactory.parseString("akka.actor.provider = remote")
                  .withFallback(ConfigFactory.defaultApplication())));
  private static final SerializationTestKit serializationTestKit = testKit.serializationTestKit();
  private static final Serialization serialization =
      SerializationExtension.get(Adapter.toClassic(testKit.system()));
  private static final Duration NO_HANG = Duration.ofSeconds(30);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T roundTrip(T message) {
    T copy = serializationTestKit.verifySerialization(message, true);
    assertEquals(message, copy);
    return copy;
  }

  private static PartSerializer partSerializer() {
    return (PartSerializer)
        serialization.findSerializerFor(new PartOutcomes(List.of(), List.of()));
  }

  private static Object read(byte[] bytes, String manifest) throws NotSerializableException {
    return partSerializer().fromBinary(bytes, manifest);
  }

  private static RunPart part(int index, ActorRef<PartOutcome> replyTo) {
    return new RunPart(
        "job/" + index, "echo", json("{'n': " + index + "}"), Mode.PROCESS, 30_000, 1, replyTo,
        true);
  }

  @Test
  void theFiveMessagesGoThroughPartSerializerAndTheOthersStayOnJacksonCbor() {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    TestProbe<PartOutcomes> batchProbe = testKit.createTestProbe();
    Object[] ours = {
      part(1, probe.ref()),
      new RunParts(List.of(part(1, probe.ref())), batchProbe.ref()),
      new PartSucceeded("p", 1, "n", json("1"), "t", 1),
      new PartFailed("p", 1, "n", Failure.OVERLOADED, "m", null),
      new PartOutcomes(List.of(), List.of()),
    };
    List<String> manifests = new ArrayList<>();
    for (Object message : ours) {
      // Bound by its class, ahead of the CborSerializable binding it also has.
      Serializer serializer = serialization.findSerializerFor(message);
      assertInstanceOf(PartSerializer.class, serializer, message.getClass().getName());
      manifests.add(((SerializerWithStringManifest) serializer).manifest(message));
    }
    assertEquals(ours.length, manifests.stream().distinct().count(), "one manifest per class");
    assertInstanceOf(
        JacksonCborSerializer.class, serialization.findSerializerFor(new CancelPart("p", 1)));
    TestProbe<Executor.Capacity> capacityProbe = testKit.createTestProbe();
    assertInstanceOf(
        JacksonCborSerializer.class,
        serialization.findSerializerFor(new Executor.GetCapacity(capacityProbe.ref())));
    assertTrue(partSerializer().identifier() > 40, "Akka keeps 0 to 40");
  }

  @Test
  void runPartInEveryModeWithUnicodeAndNestedJson() {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    for (Mode mode : Mode.values()) {
      for (boolean fromStart : new boolean[] {false, true}) {
        RunPart copy =
            roundTrip(
                new RunPart(
                    "job-ü/東京-" + mode,
                    "wörd 🎉 count",
                    json(
                        "{'text': 'héllo 東京 🎉', 'nested': {'list': [1, -2.5, null, true,"
                            + " [[]], {}, 12345678901234, '']}}"),
                    mode,
                    Long.MAX_VALUE,
                    Integer.MAX_VALUE,
                    probe.ref(),
                    fromStart));
        assertEquals(probe.ref(), copy.replyTo());
      }
    }
  }

  @Test
  void anAbsentInputStaysAbsentAndAJsonNullStaysJsonNull() {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    assertNull(roundTrip(new RunPart("p", "echo", null, Mode.ASYNC, 1, 1, probe.ref())).input());
    assertEquals(
        NullNode.getInstance(),
        roundTrip(new RunPart("p", "echo", NullNode.getInstance(), Mode.ASYNC, 1, 1, probe.ref()))
            .input());
  }

  @Test
  void partSucceededWithNullsAndJsonNull() {
    assertNull(roundTrip(new PartSucceeded("p", 1, "n", null, "t", 0)).result());
    assertEquals(
        NullNode.getInstance(),
        roundTrip(new PartSucceeded("p", 1, "n", NullNode.getInstance(), "t", 0)).result());
    // The record allows nulls everywhere: they come back as nulls.
    roundTrip(new PartSucceeded(null, 0, null, null, null, -1));
    roundTrip(new PartSucceeded("p", 2, "akka://taskgrid@10.0.0.1:25520", json("'ü'"), "t", 5));
  }

  @Test
  void partFailedWithEveryFailureAndNulls() {
    for (Failure failure : Failure.values()) {
      assertNull(roundTrip(new PartFailed("p", 1, "n", failure, "why: " + failure, null)).field());
      roundTrip(new PartFailed("p", 3, "n", failure, "field 'to' must be >= 'from' ü", "to"));
    }
    roundTrip(new PartFailed(null, 0, null, null, null, null));
    roundTrip(PartFailed.byRouter("p", 2, Failure.NO_WORKERS, "no worker"));
  }

  @Test
  void aBatchOfAThousandPartsKeepsEachPartsReplyAddress() {
    TestProbe<PartOutcome> shared = testKit.createTestProbe();
    TestProbe<PartOutcome> other = testKit.createTestProbe();
    TestProbe<PartOutcomes> batchProbe = testKit.createTestProbe();
    List<RunPart> parts = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      parts.add(part(i, i % 300 == 7 ? other.ref() : shared.ref()));
    }
    parts.add(new RunPart("job/x", "primes", json("{'from': 0}"), Mode.THREAD, 5, 2, other.ref()));
    RunParts copy = roundTrip(new RunParts(parts, batchProbe.ref()));
    for (int i = 0; i < 1_000; i++) {
      assertEquals(i % 300 == 7 ? other.ref() : shared.ref(), copy.parts().get(i).replyTo());
    }
    // Each distinct address is resolved once: the parts share one ref object.
    assertSame(copy.parts().get(0).replyTo(), copy.parts().get(999).replyTo());

    PartOutcomes answers =
        new PartOutcomes(
            List.of(new PartSucceeded("job/0", 1, "n", json("{'n': 0}"), "t", 0)),
            List.of(new PartFailed("job/1", 1, "n", Failure.TIMEOUT, "late", null)));
    copy.replyTo().tell(answers);
    batchProbe.expectMessage(Duration.ofSeconds(3), answers);
    copy.parts().get(7).replyTo().tell(answers.succeeded().get(0));
    other.expectMessage(Duration.ofSeconds(3), answers.succeeded().get(0));
  }

  @Test
  void partOutcomesOfAThousandAnswers() {
    List<PartSucceeded> succeeded = new ArrayList<>();
    List<PartFailed> failed = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      succeeded.add(
          new PartSucceeded(
              "job/" + i, 1, "akka://taskgrid@127.0.0.1:25521", json("{'n': " + i + "}"),
              "taskgrid-taskgrid.dispatchers.cpu-" + (i % 4), i));
      Failure failure = Failure.values()[i % Failure.values().length];
      failed.add(
          new PartFailed(
              "job/f" + i, 1 + i % 3, "akka://taskgrid@127.0.0.1:25521", failure, "why " + i,
              i % 2 == 0 ? null : "to"));
    }
    PartOutcomes copy = roundTrip(new PartOutcomes(succeeded, failed));
    assertEquals(2_000, copy.all().size());
  }

  @Test
  void everyTruncationIsRefused() throws Exception {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    TestProbe<PartOutcomes> batchProbe = testKit.createTestProbe();
    RunParts runParts =
        new RunParts(List.of(part(1, probe.ref()), part(2, probe.ref())), batchProbe.ref());
    PartOutcomes outcomes =
        new PartOutcomes(
            List.of(new PartSucceeded("p", 1, "n", json("{'a': [1, 'x']}"), "t", 3)),
            List.of(new PartFailed("q", 1, "n", Failure.TIMEOUT, "late", null)));
    for (Object message : List.of(runParts, outcomes, part(3, probe.ref()))) {
      PartSerializer serializer = partSerializer();
      byte[] bytes = serializer.toBinary(message);
      String manifest = serializer.manifest(message);
      assertEquals(message, read(bytes, manifest));
      assertTimeoutPreemptively(
          NO_HANG,
          () -> {
            for (int length = 0; length < bytes.length; length++) {
              byte[] truncated = Arrays.copyOf(bytes, length);
              assertThrows(NotSerializableException.class, () -> read(truncated, manifest));
            }
          });
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      assertThrows(NotSerializableException.class, () -> read(longer, manifest));
    }
  }

  @Test
  void randomBytesAreRefused() {
    Random random = new Random(20_261_201L);
    List<String> manifests = List.of("R1", "RS1", "S1", "F1", "O1");
    assertTimeoutPreemptively(
        NO_HANG,
        () -> {
          for (int i = 0; i < 5_000; i++) {
            byte[] bytes = new byte[32 + random.nextInt(2_000)];
            random.nextBytes(bytes);
            String manifest = manifests.get(i % manifests.size());
            assertThrows(NotSerializableException.class, () -> read(bytes, manifest));
          }
        });
  }

  @Test
  void anUnknownManifestIsRefused() {
    assertThrows(NotSerializableException.class, () -> read(new byte[] {0}, "R0"));
  }

  @Test
  void inputsMayNestAsDeepAsTheLimitButNoDeeper() throws Exception {
    int limit = testKit.system().settings().config().getInt("taskgrid.json.max-nesting-depth");
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    // The message adds no nesting of its own: an input keeps the depth the gateway allowed it.
    roundTrip(new RunPart("p", "echo", nested(limit), Mode.PROCESS, 1, 1, probe.ref()));
    RunPart tooDeep = new RunPart("p", "echo", nested(limit + 1), Mode.PROCESS, 1, 1, probe.ref());
    PartSerializer serializer = partSerializer();
    byte[] bytes = serializer.toBinary(tooDeep);
    NotSerializableException refused =
        assertThrows(
            NotSerializableException.class, () -> read(bytes, serializer.manifest(tooDeep)));
    assertInstanceOf(StreamConstraintsException.class, refused.getCause());

    byte[] deeper =
        serializer.toBinary(new PartSucceeded("p", 1, "n", nested(limit + 1), "t", 1));
    assertThrows(NotSerializableException.class, () -> read(deeper, "S1"));
  }

  /** Arrays inside arrays, {@code depth} deep in all. */
  private static JsonNode nested(int depth) {
    ArrayNode root = JsonNodeFactory.instance.arrayNode();
    ArrayNode inner = root;
    for (int i = 1; i < depth; i++) {
      inner = inner.addArray();
    }
    inner.add(1);
    return root;
  }

  @Test
  void aCountLargerThanTheBytesLeftIsRefusedBeforeAnyList() throws Exception {
    TestProbe<PartOutcomes> batchProbe = testKit.createTestProbe();
    String address = ActorRefResolver.get(testKit.system()).toSerializationFormat(batchProbe.ref());
    for (long count : new long[] {Integer.MAX_VALUE, -1, Long.MAX_VALUE, 3}) {
      byte[] runParts = cbor(generator -> {
        generator.writeString(address);
        generator.writeNumber(count);
        generator.writeNull(); // far less than `count` parts of eight values each
      });
      NotSerializableException refused =
          assertThrows(NotSerializableException.class, () -> read(runParts, "RS1"));
      assertTrue(refused.getMessage().contains("count"), refused.getMessage());
      byte[] outcomes = cbor(generator -> generator.writeNumber(count));
      assertThrows(NotSerializableException.class, () -> read(outcomes, "O1"));
    }
  }

  @Test
  void anIndexThatPointsNowhereOrAnUnknownNameIsRefused() throws Exception {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    String address = ActorRefResolver.get(testKit.system()).toSerializationFormat(probe.ref());
    byte[] wellFormed = runPart(address, "echo", "PROCESS", 1);
    assertEquals("echo", ((RunPart) read(wellFormed, "R1")).task());
    // The task by the index of a string not yet seen.
    assertThrows(
        NotSerializableException.class, () -> read(runPart(address, 0, "PROCESS", 1), "R1"));
    assertThrows(NotSerializableException.class, () -> read(runPart(address, "echo", 5, 1), "R1"));
    assertThrows(
        NotSerializableException.class, () -> read(runPart(address, "echo", "TELEPATHY", 1), "R1"));
    // A record's own rule: attempts are positive.
    assertThrows(
        NotSerializableException.class, () -> read(runPart(address, "echo", "ASYNC", 0), "R1"));
  }

  /** A RunPart written by hand, task and mode each as a string or an index. */
  private static byte[] runPart(String replyTo, Object task, Object mode, int attempt)
      throws IOException {
    return cbor(generator -> {
      generator.writeString("p");
      writeStringOrIndex(generator, task);
      generator.writeNumber(1); // the input
      writeStringOrIndex(generator, mode);
      generator.writeNumber(1_000);
      generator.writeNumber(attempt);
      generator.writeString(replyTo);
      generator.writeBoolean(false);
    });
  }

  private static void writeStringOrIndex(CBORGenerator generator, Object value) throws IOException {
    if (value instanceof String text) {
      generator.writeString(text);
    } else {
      generator.writeNumber((Integer) value);
    }
  }

  private interface Writing {
    void write(CBORGenerator generator) throws IOException;
  }

  private static byte[] cbor(Writing writing) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (CBORGenerator generator = new CBORFactory().createGenerator(bytes)) {
      writing.write(generator);
    }
    return bytes.toByteArray();
  }

  @Test
  void aBatchOfFiftyIsSmallerThanInJacksonCbor() throws Exception {
    // Akka's Jackson serializer takes only the classes bound to it: the same messages go through
    // both in a system where they are bound to jackson-cbor, as they were before PartSerializer.
    StringBuilder bindings = new StringBuilder("akka.actor.provider = remote\n");
    for (Class<?> type :
        List.of(RunPart.class, RunParts.class, PartSucceeded.class, PartFailed.class,
            PartOutcomes.class)) {
      bindings.append("akka.actor.serialization-bindings.\"").append(type.getName())
          .append("\" = jackson-cbor\n");
    }
    ActorTestKit jacksonKit =
        ActorTestKit.create(
            "PartSerializerTestJackson",
            ConfigFactory.load(
                ConfigFactory.parseString(bindings.toString())
                    .withFallback(ConfigFactory.defaultApplication())));
    try {
      compareSizes(jacksonKit);
    } finally {
      jacksonKit.shutdownTestKit();
    }
  }

  private static void compareSizes(ActorTestKit kit) throws Exception {
    ExtendedActorSystem system = (ExtendedActorSystem) Adapter.toClassic(kit.system());
    Serialization jackson = SerializationExtension.get(system);
    PartSerializer ours = new PartSerializer(system);
    // Parts and answers as a job's router and a worker's executor send them.
    TestProbe<PartOutcome> outcomeAdapter = kit.createTestProbe();
    TestProbe<PartOutcomes> outcomesAdapter = kit.createTestProbe();
    String job = UUID.randomUUID().toString();
    String node = system.provider().getDefaultAddress().toString();
    List<RunPart> parts = new ArrayList<>();
    List<PartSucceeded> succeeded = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      parts.add(
          new RunPart(
              job + "/" + i, "echo", json("{'n': " + i + "}"), Mode.PROCESS, 30_000, 1,
              outcomeAdapter.ref(), true));
      succeeded.add(
          new PartSucceeded(
              job + "/" + i, 1, node, json("{'n': " + i + "}"),
              "taskgrid-taskgrid.dispatchers.cpu-" + (i % 2), i % 3));
    }
    List<PartFailed> failed =
        parts.stream()
            .map(run -> run.failed(node, Failure.INVALID_INPUT, "field 'n' is not a word", "n"))
            .toList();
    for (Object message :
        List.of(
            new RunParts(parts, outcomesAdapter.ref()),
            new PartOutcomes(succeeded, List.of()),
            new PartOutcomes(List.of(), failed))) {
      Serializer theirSerializer = jackson.findSerializerFor(message);
      assertInstanceOf(JacksonCborSerializer.class, theirSerializer);
      byte[] theirs = jackson.serialize(message).get();
      String theirManifest = Serializers.manifestFor(theirSerializer, message);
      assertEquals(
          message,
          jackson.deserialize(theirs, theirSerializer.identifier(), theirManifest).get());
      byte[] mine = ours.toBinary(message);
      assertEquals(message, ours.fromBinary(mine, ours.manifest(message)));
      assertTrue(
          mine.length < theirs.length,
          describe(message) + ": " + mine.length + " bytes, jackson-cbor " + theirs.length);
    }
  }

  private static String describe(Object message) {
    return message instanceof PartOutcomes outcomes && outcomes.succeeded().isEmpty()
        ? "PartOutcomes (failures)"
        : message.getClass().getSimpleName();
  }

  @Test
  void theWrittenSizeStaysWithinTheBoundsTheSendersCount() {
    // Router.gather counts 64 bytes and the bounds of WireSize for each part, Executor.sizeOf the
    // same for each answer; what a message adds once (its reply addresses, counts) fits in the
    // room ExecutorSettings keeps beside them. The worst cases for the bounds: empty strings,
    // extreme numbers, absent trees, names that are new in the message.
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    TestProbe<PartOutcomes> batchProbe = testKit.createTestProbe();
    List<RunPart> parts = new ArrayList<>();
    List<PartSucceeded> succeeded = new ArrayList<>();
    List<PartFailed> failed = new ArrayList<>();
    long partBounds = 0;
    long answerBounds = 0;
    for (int i = 0; i < 200; i++) {
      RunPart run =
          new RunPart(
              "", "", i % 2 == 0 ? null : json("-1234567890123"),
              Mode.values()[i % Mode.values().length], Long.MAX_VALUE, Integer.MAX_VALUE,
              probe.ref(), true);
      parts.add(run);
      partBounds +=
          64 + WireSize.of(run.partId()) + WireSize.of(run.task())
              + WireSize.atMost(run.input(), Long.MAX_VALUE);
      PartSucceeded ok = new PartSucceeded("", Integer.MAX_VALUE, "", null, "", Long.MIN_VALUE);
      succeeded.add(ok);
      answerBounds +=
          64 + WireSize.of(ok.partId()) + WireSize.of(ok.node()) + WireSize.of(ok.thread())
              + WireSize.atMost(ok.result(), Long.MAX_VALUE);
      Failure failure = Failure.values()[i % Failure.values().length];
      PartFailed no = new PartFailed("", Integer.MIN_VALUE, "", failure, null, null);
      failed.add(no);
      answerBounds +=
          64 + WireSize.of(no.partId()) + WireSize.of(no.node()) + WireSize.of(no.message())
              + WireSize.of(no.field());
    }
    long once = 2 * (9 + 3L * 200); // two addresses of under 200 chars, and counts
    assertTrue(once < ExecutorSettings.ENVELOPE_ROOM_BYTES);
    long partsWritten = partSerializer().toBinary(new RunParts(parts, batchProbe.ref())).length;
    long answersWritten = partSerializer().toBinary(new PartOutcomes(succeeded, failed)).length;
    assertTrue(partsWritten <= partBounds + once, partsWritten + " > " + partBounds);
    assertTrue(answersWritten <= answerBounds + once, answersWritten + " > " + answerBounds);
  }
}
