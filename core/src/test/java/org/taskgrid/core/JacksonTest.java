package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.core.TestJson.json;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.jackson.JacksonCborSerializer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.execution.PartProtocol;
import org.taskgrid.core.execution.PartProtocol.PartOutcome;
import org.taskgrid.core.execution.PartProtocol.RunPart;
import org.taskgrid.core.task.Mode;
import scala.util.Try;

/**
 * The Jackson on the classpath is the one the parent POM pins, not the 2.11.4 Akka 2.6.21 brings:
 * that one has no nesting limit, and a deep document overflows the stack, a fatal error on which
 * Akka stops the JVM.
 */
class JacksonTest {
  private static final Version AT_LEAST = new Version(2, 15, 0, null, null, null);
  private static final int DEPTH = 100_000;

  // RunPart bound to jackson-cbor again (core binds it to PartSerializer): a message with a JSON
  // tree inside, through the mapper Akka builds, as every CborSerializable message without a
  // serializer of its own goes.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "JacksonTest",
          ConfigFactory.parseString(
                  "akka.actor.serialization-bindings {"
                      + " \"org.taskgrid.core.execution.PartProtocol$RunPart\" = jackson-cbor }")
              .withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theClasspathHoldsThePinnedJackson() {
    Version databind = com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION;
    assertTrue(databind.compareTo(AT_LEAST) >= 0, "jackson-databind " + databind);
    // One Jackson, not a mix: core and the CBOR format Akka uses come from the same release line.
    Version core = com.fasterxml.jackson.core.json.PackageVersion.VERSION;
    Version cbor = com.fasterxml.jackson.dataformat.cbor.PackageVersion.VERSION;
    assertEquals(databind.getMajorVersion(), core.getMajorVersion());
    assertEquals(databind.getMinorVersion(), core.getMinorVersion(), "jackson-core " + core);
    assertEquals(
        databind.getMinorVersion(), cbor.getMinorVersion(), "jackson-dataformat-cbor " + cbor);
  }

  @Test
  void deeplyNestedJsonIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(DEPTH);
    JsonProcessingException refused =
        assertThrows(JsonProcessingException.class, () -> new ObjectMapper().readTree(deep));
    assertInstanceOf(StreamConstraintsException.class, refused);
  }

  @Test
  void deeplyNestedJsonInsideAMessageIsRefusedByAkkasCborSerializer() throws Exception {
    // A RunPart whose input is a CBOR array nested 100 000 deep, as a hostile or broken peer could
    // send it: serialize one with a marker string as input, then splice the deep array in its
    // place.
    TestProbe<PartOutcome> probe = testKit.createTestProbe();
    String marker = "@@input-goes-here@@";
    RunPart message =
        new RunPart("p", "echo", TextNode.valueOf(marker), Mode.ASYNC, 1_000, 1, probe.ref());
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    SerializerWithStringManifest serializer =
        (SerializerWithStringManifest) serialization.findSerializerFor(message);
    assertInstanceOf(JacksonCborSerializer.class, serializer);
    byte[] bytes = serialization.serialize(message).get();
    String manifest = serializer.manifest(message);

    byte[] encodedMarker = cborText(marker);
    int at = indexOf(bytes, encodedMarker);
    assertTrue(at >= 0, "the marker is in the serialized message");
    ByteArrayOutputStream hostile = new ByteArrayOutputStream();
    hostile.write(bytes, 0, at);
    byte[] nesting = new byte[DEPTH];
    Arrays.fill(nesting, (byte) 0x81); // an array of one element, DEPTH times
    hostile.write(nesting);
    hostile.write(0xF6); // null, the innermost element
    hostile.write(bytes, at + encodedMarker.length, bytes.length - at - encodedMarker.length);

    // The splice is sound: the same bytes with a shallow array deserialize fine.
    byte[] shallow =
        splice(bytes, at, encodedMarker.length, new byte[] {(byte) 0x81, (byte) 0x81, (byte) 0xF6});
    RunPart parsed =
        (RunPart) serialization.deserialize(shallow, serializer.identifier(), manifest).get();
    assertEquals(json("[[null]]"), parsed.input());
    assertEquals(probe.ref(), parsed.replyTo());

    // A StackOverflowError would escape here (Try does not catch fatal errors) and fail the test.
    Try<Object> result =
        serialization.deserialize(hostile.toByteArray(), serializer.identifier(), manifest);
    assertTrue(result.isFailure(), "a 100 000 deep input was accepted");
    Throwable refused = result.failed().get();
    assertTrue(
        causedBy(refused, StreamConstraintsException.class), () -> "refused with " + refused);
  }

  /** A short CBOR text string (major type 3), as Jackson writes one under 24 bytes. */
  private static byte[] cborText(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    assertTrue(utf8.length < 24);
    byte[] encoded = new byte[utf8.length + 1];
    encoded[0] = (byte) (0x60 + utf8.length);
    System.arraycopy(utf8, 0, encoded, 1, utf8.length);
    return encoded;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] splice(byte[] bytes, int at, int length, byte[] replacement) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(bytes, 0, at);
    out.write(replacement, 0, replacement.length);
    out.write(bytes, at + length, bytes.length - at - length);
    byte[] result = out.toByteArray();
    assertArrayEquals(Arrays.copyOfRange(bytes, 0, at), Arrays.copyOfRange(result, 0, at));
    return result;
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
