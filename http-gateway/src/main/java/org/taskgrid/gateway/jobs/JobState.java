package org.taskgrid.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Where a job is in its life: running, then one of the three ends. */
public enum JobState {
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  /** The name in the HTTP API. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<JobState> fromWireName(String name) {
    return Arrays.stream(values()).filter(state -> state.wireName().equals(name)).findFirst();
  }

  public boolean finished() {
    return this != RUNNING;
  }
}
