package org.taskgrid.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.CoordinatedShutdown;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.taskgrid.core.ShutdownSignals;

/** The gateway's exit code tells a supervisor whether it stopped on purpose. */
class GatewayMainTest {

  @Test
  void toldToStopExits0() {
    assertEquals(0, GatewayMain.exitCodeFor(Optional.empty()));
    assertEquals(0, GatewayMain.exitCodeFor(Optional.of(new ShutdownSignals.SignalReceived("SIGTERM"))));
    assertEquals(0, GatewayMain.exitCodeFor(Optional.of(CoordinatedShutdown.clusterLeavingReason())));
  }

  @Test
  void downedOrUnableToJoinExitsNonZero() {
    assertEquals(255, GatewayMain.exitCodeFor(Optional.of(CoordinatedShutdown.clusterDowningReason())));
    assertEquals(
        255, GatewayMain.exitCodeFor(Optional.of(CoordinatedShutdown.clusterJoinUnsuccessfulReason())));
    assertEquals(1, GatewayMain.exitCodeFor(Optional.of(new CoordinatedShutdown.Reason() {})));
  }
}
