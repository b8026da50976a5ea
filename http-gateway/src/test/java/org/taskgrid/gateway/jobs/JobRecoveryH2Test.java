package org.taskgrid.gateway.jobs;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Recovery on H2 in a file: a fresh directory per test. */
class JobRecoveryH2Test extends JobRecoveryTest {
  @TempDir Path dataDir;

  @Override
  String freshStore() {
    return "taskgrid.store.data-dir = \"" + dataDir + "\"\n";
  }
}
