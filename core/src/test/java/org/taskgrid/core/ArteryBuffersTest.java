package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Artery's pool of direct buffers, each as large as the frame size, keeps what a burst made: with
 * 2 MiB frames, Akka's default pool would keep 256 MiB of direct memory.
 */
class ArteryBuffersTest {
  private static final long MAX_POOLED_BYTES = 64L * 1024 * 1024;

  @Test
  void theBufferPoolKeepsAtMost64MiB() {
    Config config = NodeConfig.load(Map.of(), ConfigFactory.empty());
    long pooled =
        config.getBytes("akka.remote.artery.advanced.maximum-frame-size")
            * config.getInt("akka.remote.artery.advanced.buffer-pool-size");
    assertTrue(pooled <= MAX_POOLED_BYTES, "the pool keeps up to " + pooled + " bytes");
  }
}
