package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {
  @Test
  void fieldsUpToAnEmptyLineMakeOneEventAndHeartbeatsNone() {
    List<String> stream =
        List.of(
            "event: progress", "data: {\"done\":1}", "",
            ":", "", // a heartbeat comment
            "data:first", "data: second", "id: 7", "",
            "event: done", "data: {\"state\":\"succeeded\"}", "");
    ServerSentEvents parser = new ServerSentEvents();
    List<ServerSentEvents.Event> events =
        stream.stream().map(parser::accept).flatMap(Optional::stream).toList();
    assertEquals(
        List.of(
            new ServerSentEvents.Event("progress", "{\"done\":1}"),
            new ServerSentEvents.Event("message", "first\nsecond"),
            new ServerSentEvents.Event("done", "{\"state\":\"succeeded\"}")),
        events);
  }

  @Test
  void anEventWithoutDataIsDropped() {
    ServerSentEvents parser = new ServerSentEvents();
    assertEquals(Optional.empty(), parser.accept("event: progress"));
    assertEquals(Optional.empty(), parser.accept(""));
    parser.accept("data: x");
    assertEquals(Optional.of(new ServerSentEvents.Event("message", "x")), parser.accept(""));
  }
}
