package org.taskgrid.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.Config;
import org.taskgrid.core.execution.WireSize;

/**
 * Artery silently drops a message over its frame size, so a {@code process} input that would not
 * fit is refused before it is sent. Its CBOR form is what travels; room is left for the rest of
 * the message (ids, task name, reply address).
 */
final class FrameLimit {
  private static final long ENVELOPE_ROOM_BYTES = 16 * 1024;
  private static final CBORMapper CBOR = new CBORMapper();

  private final long maxInputBytes;

  FrameLimit(Config config) {
    this.maxInputBytes =
        config.getBytes("akka.remote.artery.advanced.maximum-frame-size") - ENVELOPE_ROOM_BYTES;
  }

  /** Throws 413 too_large when the input could not reach a remote worker. */
  void check(JsonNode input, String field) {
    if (WireSize.atMost(input, maxInputBytes) <= maxInputBytes) {
      // Surely fits: encoding each of a job's small inputs only to measure it was a twentieth of
      // the gateway's CPU in a 10 000-part job (bench/run.sh W4).
      return;
    }
    long bytes;
    try {
      bytes = CBOR.writeValueAsBytes(input).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode the input as CBOR", e);
    }
    if (bytes > maxInputBytes) {
      throw ApiError.tooLarge(
          "the input is " + bytes + " bytes in CBOR, more than the " + maxInputBytes
              + " a message between nodes may carry",
          field);
    }
  }
}
