package org.taskgrid.core.routing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the router sees an executor of {@code process} work. */
public enum ExecutorState {
  /** Listed and reachable: it takes new parts. */
  ACTIVE,
  /** Its node is unreachable: its parts went elsewhere; it takes none until it is back. */
  UNREACHABLE,
  /** It left the listing while its node stays Up: it finishes its parts and takes no new ones. */
  DRAINING;

  /** The name in {@code GET /v1/cluster}. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
