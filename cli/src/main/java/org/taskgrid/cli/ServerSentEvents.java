package org.taskgrid.cli;

import java.util.Optional;

/**
 * Turns the lines of a {@code text/event-stream} into events, as the HTML standard says: fields up
 * to an empty line make one event; comments ({@code :}, the gateway's heartbeats), events without
 * data and unknown fields are skipped.
 */
final class ServerSentEvents {
  /** @param type the {@code event:} field, {@code message} when there is none */
  record Event(String type, String data) {}

  private String type;
  private StringBuilder data;

  /** Feeds one line (without its line break); returns the event it completes, if any. */
  Optional<Event> accept(String line) {
    if (line.isEmpty()) {
      Optional<Event> event =
          data == null ? Optional.empty() : Optional.of(new Event(type == null ? "message" : type, data.toString()));
      type = null;
      data = null;
      return event;
    }
    if (line.startsWith(":")) {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> type = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {
        // id, retry and unknown fields: nothing the CLI needs
      }
    }
    return Optional.empty();
  }
}
