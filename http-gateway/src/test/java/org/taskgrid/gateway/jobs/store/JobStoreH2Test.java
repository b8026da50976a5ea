package org.taskgrid.gateway.jobs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.taskgrid.gateway.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's contract on the embedded default: H2 in a file under a fresh data directory. */
class JobStoreH2Test extends JobStoreContractTest {

  @TempDir Path temp;

  private int databases;

  @Override
  Map<String, Object> freshDatabase() {
    return Map.of("data-dir", temp.resolve("data-" + databases++).toString(), "url", "");
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
    Process second = anotherJvm(output, settings.dataDir().toString());
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

  @Test
  void whatWasWrittenSurvivesASigkillRightAfter() throws Exception {
    store.close();
    store = null;
    Path output = temp.resolve("killed.out");
    Process killed = anotherJvm(output, settings.dataDir().toString(), "write");
    try {
      Await.atMost(Duration.ofSeconds(60), "the other JVM to say it has written (or to die)").every(Duration.ofMillis(10))
          .until(() -> Files.readString(output, StandardCharsets.UTF_8),
              said -> said.contains(OpenJobStoreMain.WRITTEN) || !killed.isAlive());
      assertTrue(killed.isAlive(), "the writer died early: " + Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      killed.destroyForcibly(); // SIGKILL: no shutdown hook, no close
      assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
    }
    store = JobStore.open(settings);
    StoredJob found = store.find("killed").orElseThrow(() -> new AssertionError("the job written before the kill is gone"));
    assertEquals(OpenJobStoreMain.OWNER, found.owner());
    assertEquals(3, found.done());
    assertEquals(Map.of(0, "1", 1, "2", 2, "3"), store.partResults("killed"));
  }

  /** A JVM on the test classpath running {@link OpenJobStoreMain}; bounded by the callers. */
  private static Process anotherJvm(Path output, String... arguments) throws java.io.IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), OpenJobStoreMain.class.getName()));
    command.addAll(List.of(arguments));
    Files.writeString(output, "");
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }
}
