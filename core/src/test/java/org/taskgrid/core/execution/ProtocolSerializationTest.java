package org.taskgrid.core.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.assertJsonEquals;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.SerializationTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import com.fasterxml.jackson.databind.node.LongNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.CborSerializable;
import org.taskgrid.core.execution.PartProtocol.Failure;
import org.taskgrid.core.execution.PartProtocol.PartFailed;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.PartSucceeded;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.task.Mode;

/**
 * Every executor message that crosses JVMs survives CBOR serialization unchanged: through {@link
 * PartSerializer} for parts and their answers, through jackson-cbor for the others.
 */
class ProtocolSerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create("ProtocolSerializationTest");
  private static final SerializationTestKit serialization = testKit.serializationTestKit();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Serializes and deserializes; verifySerialization itself asserts equality. */
  private static <T> T roundTrip(T message) {
    T copy = serialization.verifySerialization(message, true);
    assertEquals(message, copy);
    return copy;
  }

  @Test
  void runPartWithARealActorRef() {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    for (Mode mode : Mode.values()) {
      RunPart message =
          new RunPart(
              "job-1/part-3",
              "wordcount",
              json("{'text': 'héllo 東京 🎉', 'nested': {'list': [1, 2.5, null, true, [[]]]}}"),
              mode,
              30_000,
              2,
              probe.ref());
      RunPart copy = roundTrip(message);
      assertEquals(probe.ref(), copy.replyTo());
    }
  }

  @Test
  void theReplyAddressStillWorksAfterTheRoundTrip() {
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    RunPart copy =
        roundTrip(new RunPart("p", "echo", json("{}"), Mode.ASYNC, 1_000, 1, probe.ref()));
    PartFailed answer = new PartFailed("p", 1, "n", Failure.TIMEOUT, "late", null);
    copy.replyTo().tell(answer);
    probe.expectMessage(Duration.ofSeconds(3), answer);
  }

  @Test
  void partSucceeded() {
    roundTrip(
        new PartSucceeded(
            "p-1",
            1,
            "akka://taskgrid@10.0.0.1:25520",
            json("{'words': 3, 'counts': {'a': 2, 'b': 1}}"),
            "taskgrid-taskgrid.dispatchers.cpu-7",
            42));
    roundTrip(new PartSucceeded("p-2", 3, "n", json("'ba7816bf'"), PartProtocol.NO_THREAD, 0));
    roundTrip(new PartSucceeded("p-3", 1, "n", json("[1, {'deep': ['ü']}]"), "t", 1));
  }

  @Test
  void partSucceededWithALongResultKeepsItsValue() {
    // A task result built as a LongNode arrives as the smallest integer node that holds it (CBOR
    // does not record Java types): the same JSON, equal by value, not by node class.
    PartSucceeded message = new PartSucceeded("p", 1, "n", LongNode.valueOf(78498), "t", 5);
    PartSucceeded copy = serialization.verifySerialization(message, false);
    assertJsonEquals(message.result(), copy.result());
    assertEquals(78498L, copy.result().longValue());
    assertEquals(
        message,
        new PartSucceeded(
            copy.partId(),
            copy.attempt(),
            copy.node(),
            message.result(),
            copy.thread(),
            copy.millis()));
  }

  @Test
  void partFailedWithAndWithoutAField() {
    for (Failure failure : Failure.values()) {
      PartFailed withoutField =
          roundTrip(new PartFailed("p", 4, "n", failure, "why: " + failure, null));
      assertNull(withoutField.field());
    }
    PartFailed withField =
        roundTrip(
            new PartFailed(
                "p", 1, "n", Failure.INVALID_INPUT, "field 'to' must be >= 'from'", "to"));
    assertEquals("to", withField.field());
  }

  @Test
  void runPartsKeepTheirPartsAndReplyAddresses() {
    TestProbe<PartOutcome> one = testKit.createTestProbe();
    TestProbe<PartProtocol.PartOutcomes> batchProbe = testKit.createTestProbe();
    PartProtocol.RunParts copy =
        roundTrip(
            new PartProtocol.RunParts(
                java.util.List.of(
                    new RunPart("job/0", "echo", json("{'n': 1}"), Mode.PROCESS, 1_000, 1, one.ref(), true),
                    new RunPart("job/1", "primes", json("{'from': 0, 'to': 9}"), Mode.PROCESS, 2_000, 2, one.ref())),
                batchProbe.ref()));
    assertEquals(2, copy.parts().size());
    PartProtocol.PartOutcomes answers =
        new PartProtocol.PartOutcomes(
            java.util.List.of(new PartSucceeded("job/0", 1, "n", json("{'n': 1}"), "t", 0)),
            java.util.List.of(new PartFailed("job/1", 2, "n", Failure.TIMEOUT, "late", null)));
    copy.replyTo().tell(answers);
    batchProbe.expectMessage(Duration.ofSeconds(3), answers);
  }

  @Test
  void partOutcomesWithSuccessesAndFailures() {
    PartProtocol.PartOutcomes copy =
        roundTrip(
            new PartProtocol.PartOutcomes(
                java.util.List.of(
                    new PartSucceeded("p-1", 1, "n", json("[1, {'deep': ['ü']}]"), "t", 1),
                    new PartSucceeded("p-2", 1, "n", json("'x'"), PartProtocol.NO_THREAD, 0)),
                java.util.List.of(new PartFailed("p-3", 1, "n", Failure.INVALID_INPUT, "bad", "to"))));
    assertEquals(3, copy.all().size());
    assertEquals(
        new PartProtocol.PartOutcomes(java.util.List.of(), java.util.List.of()),
        roundTrip(new PartProtocol.PartOutcomes(java.util.List.of(), java.util.List.of())));
  }

  @Test
  void cancelPartWithItsAttempt() {
    assertEquals(3, roundTrip(new PartProtocol.CancelPart("job-1/7", 3)).upToAttempt());
  }

  @Test
  void theSystemUnderTestDoesNotTakeTheClusterPort() {
    // ActorTestKit.create(name) reads application-test.conf, which includes the test
    // application.conf: loopback and port 0 if remoting is on, never a node's fixed 25520.
    akka.actor.Address address = Adapter.toClassic(testKit.system()).provider().getDefaultAddress();
    address.getPort().ifPresent(port -> assertNotEquals(25520, port));
    address.getHost().ifPresent(host -> assertEquals("127.0.0.1", host));
  }

  @Test
  void messagesUseCborSerializersNotJavaSerialization() {
    Serialization extension = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    Object[] partMessages = {
      new RunPart("p", "echo", json("{}"), Mode.ASYNC, 1, 1, probe.ref()),
      new PartSucceeded("p", 1, "n", json("1"), "t", 1),
      new PartFailed("p", 1, "n", Failure.OVERLOADED, "m", null),
    };
    for (Object message : partMessages) {
      assertInstanceOf(CborSerializable.class, message);
      assertInstanceOf(PartSerializer.class, extension.findSerializerFor(message));
      assertNotNull(Serializers.manifestFor(extension.findSerializerFor(message), message));
    }
    PartProtocol.CancelPart cancel = new PartProtocol.CancelPart("p", 1);
    assertInstanceOf(JacksonCborSerializer.class, extension.findSerializerFor(cancel));
    assertNotEquals(
        JacksonCborSerializer.class, extension.findSerializerFor("a plain string").getClass());
    assertTrue(
        !testKit.system().settings().config().getBoolean("akka.actor.allow-java-serialization"),
        "Java serialization must stay off");
  }
}
