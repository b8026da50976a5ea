package org.taskgrid.gateway.admission;

import com.typesafe.config.Config;
import java.util.EnumMap;
import java.util.Map;
import org.taskgrid.core.task.Mode;

/**
 * One {@link Admission} per kind of work, each bounding what that kind holds: {@code async} waits
 * hold no thread and get a budget of their own, {@code thread} work one the size of the blocking
 * pool, {@code process} work one that follows the cluster's capacity ({@link CapacityFollower}).
 * A flood of one kind is refused on its own budget and never queues another kind behind it.
 */
public final class AdmissionControl {
  private final Map<Mode, Admission> byMode;
  private final int processFloor;

  private AdmissionControl(Map<Mode, Admission> byMode, int processFloor) {
    this.byMode = byMode;
    this.processFloor = processFloor;
  }

  public static AdmissionControl fromConfig(Config root) {
    Config config = root.getConfig("taskgrid.admission");
    Map<Mode, Admission> byMode = new EnumMap<>(Mode.class);
    for (Mode mode : Mode.values()) {
      Config budget = config.getConfig(mode.wireName());
      byMode.put(mode, new Admission(budget.getInt("max-in-flight"), budget.getInt("max-queued")));
    }
    return new AdmissionControl(byMode, config.getInt("process.max-in-flight"));
  }

  /** The budget that work of this mode is admitted on. */
  public Admission of(Mode mode) {
    return byMode.get(mode);
  }

  /**
   * The cluster can run {@code slots} process parts at once: the process budget grows with it
   * (the router keeps what the workers cannot take yet), never below its configured size.
   */
  void followProcessCapacity(int slots, int perSlot) {
    of(Mode.PROCESS).resize(Math.max(processFloor, slots * perSlot));
  }
}
