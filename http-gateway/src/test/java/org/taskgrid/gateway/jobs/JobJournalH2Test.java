package org.taskgrid.gateway.jobs;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** The journal on H2 in a file, a fresh directory per test. */
class JobJournalH2Test extends JobJournalTest {
  @TempDir Path dataDir;

  @Override
  Map<String, Object> freshStore() {
    return Map.of("data-dir", dataDir.toString());
  }
}
