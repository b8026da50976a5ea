package org.taskgrid.gateway.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's contract on the embedded default: H2 in a file under a fresh data directory. */
class JobStoreH2Test extends JobStoreContractTest {

  @TempDir Path temp;

  @Override
  Map<String, Object> freshDatabase() {
    return Map.of("data-dir", temp.resolve("data").toString(), "url", "");
  }

  @Test
  void theFileLivesInTheDataDirectoryWhichIsCreated() {
    Path nested = temp.resolve("a/b/c");
    StoreSettings nestedSettings = settings(Map.of("data-dir", nested.toString(), "url", ""));
    try (JobStore nestedStore = JobStore.open(nestedSettings)) {
      nestedStore.create(job("j", GATEWAY_A, T0));
    }
    assertTrue(Files.isRegularFile(nested.resolve("jobs.mv.db")), "H2's file under data-dir");
    assertEquals(nested.resolve("jobs.mv.db"), nestedSettings.embeddedFile());
  }

  @Test
  void aSecondProcessOnTheSameFileIsRefusedWithAClearMessage() throws Exception {
    store.create(job("j", GATEWAY_A, T0));
    Path output = temp.resolve("second.out");
    Process second = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            OpenJobStoreMain.class.getName(), settings.dataDir().toString())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    try {
      assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second JVM ended");
    } finally {
      second.destroyForcibly();
    }
    String said = Files.readString(output, StandardCharsets.UTF_8);
    assertEquals(OpenJobStoreMain.REFUSED, second.exitValue(), said);
    assertTrue(said.contains("is open in another process"), said);
    assertTrue(said.contains(settings.embeddedFile().toString()), said);
    // This gateway's store is not disturbed by the attempt.
    assertEquals(List.of("j"), store.list(null, 10).stream().map(StoredJob::id).toList());
  }
}
