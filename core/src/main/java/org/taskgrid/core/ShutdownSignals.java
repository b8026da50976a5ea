package org.taskgrid.core;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import java.util.List;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT run Coordinated Shutdown in full, as a leave would: a worker drains its work
 * first, and the JVM exits 0 afterwards rather than dying with 143 mid-shutdown.
 */
public final class ShutdownSignals {
  private ShutdownSignals() {}

  /** Why Coordinated Shutdown ran: the process was told to stop, by this signal. */
  public record SignalReceived(String signal) implements CoordinatedShutdown.Reason {}

  public static void install(ActorSystem<?> system) {
    for (String name : List.of("TERM", "INT")) {
      Signal.handle(
          new Signal(name),
          signal ->
              CoordinatedShutdown.get(system).run(new SignalReceived("SIG" + signal.getName())));
    }
  }
}
