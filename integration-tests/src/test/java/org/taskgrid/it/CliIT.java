package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/taskgrid run|job|status} as a user runs them, against a real gateway from its fat jar
 * with API tokens on: what each prints on stdout and stderr, and its exit code. The gateway gives a
 * job's part 3 s, so that a job of a long sleep fails. As in {@link LauncherIT}, an {@code mvn} on
 * the PATH that only fails shows any rebuild: the build has just made the CLI jar.
 */
class CliIT {
  private static final String TOKEN = "cli-it-token";
  private static final String REBUILD_MARKER = "FAKE-MVN: bin/taskgrid tried to rebuild";
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern JOB_STARTED = Pattern.compile("job [0-9a-f-]{36} started; see http://127\\.0\\.0\\.1:\\d+/v1/jobs/[0-9a-f-]{36}");

  @TempDir static Path dir;

  private static String path;
  private static String url;
  private static int httpPort;
  private static int clusterPort;
  private static NodeProcess gateway;
  /** Numbers the runs' log files. */
  private static final AtomicInteger RUNS = new AtomicInteger();

  @BeforeAll
  static void startGateway() throws IOException, InterruptedException {
    Path mvn = dir.resolve("mvn");
    Files.writeString(mvn, "#!/usr/bin/env bash\necho \"" + REBUILD_MARKER + ": mvn $*\"\nexit 1\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    String javaBin = Path.of(Artifacts.java()).getParent().toString();
    path = String.join(File.pathSeparator, dir.toString(), javaBin, System.getenv("PATH"));

    httpPort = FreePort.next();
    clusterPort = FreePort.next();
    url = "http://127.0.0.1:" + httpPort;
    gateway =
        NodeProcess.start(
            "CliIT-gateway",
            NodeProcess.javaJar(Artifacts.gatewayJar(), List.of("-Dtaskgrid.jobs.part-timeout=3s")),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(clusterPort),
                "TASKGRID_API_TOKENS", TOKEN));
    gateway.awaitReady(new GatewayClient(httpPort), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void runPrintsTheAnswerOnStdoutAndNothingElse(TestInfo test) throws Exception {
    CliRun run = taskgrid(test, "run", "primes", "--mode", "thread", "{\"from\":0,\"to\":1000}");
    assertAll(
        run.toString(),
        () -> assertEquals(0, run.exitCode()),
        () -> assertTrue(run.stdout().startsWith("{\"task\":\"primes\",\"result\":168,\"mode\":\"thread\""), "the answer's JSON"),
        () -> assertEquals(1, run.stdout().lines().count(), "one line"),
        () -> assertEquals("", run.stderr()));
  }

  @Test
  void runOverItsTimeoutPrintsTheGatewaysErrorAndExits1(TestInfo test) throws Exception {
    CliRun run = taskgrid(test, "run", "sleep", "--mode", "async", "--timeout", "200ms", "{\"millis\":5000}");
    assertAll(
        run.toString(),
        () -> assertEquals(1, run.exitCode()),
        () -> assertEquals("", run.stdout()),
        () -> assertTrue(run.stderr().startsWith("taskgrid: the gateway answered 504 timeout: ")));
  }

  @Test
  void aBadInputIsTheGatewaysJsonErrorAndJsonThatIsNoneNeverLeaves(TestInfo test) throws Exception {
    CliRun invalid = taskgrid(test, "run", "primes", "{\"from\":10,\"to\":1}");
    assertAll(
        invalid.toString(),
        () -> assertEquals(1, invalid.exitCode()),
        () -> assertEquals("", invalid.stdout()),
        () -> assertEquals(
            "taskgrid: the gateway answered 400 invalid_input: field 'to' must be >= 'from' (field: to)",
            invalid.stderr().strip()));

    CliRun notJson = taskgrid(test, "run", "primes", "{\"from\":");
    assertAll(
        notJson.toString(),
        () -> assertEquals(2, notJson.exitCode()),
        () -> assertTrue(notJson.stderr().startsWith("taskgrid: the input JSON is not JSON")));

    CliRun badParts = taskgrid(test, "job", "primes", "--input", "{\"from\":0,\"to\":100}", "--parts", "0");
    assertAll(
        badParts.toString(),
        () -> assertEquals(1, badParts.exitCode()),
        () -> assertTrue(badParts.stderr().contains("400 invalid_input: field 'parts' must be at least 1 (field: parts)")));
  }

  @Test
  void aSplitJobShowsPlainProgressLinesOffATerminalThenPrintsTheMergedResult(TestInfo test) throws Exception {
    CliRun run = taskgrid(test, "job", "primes", "--input", "{\"from\":0,\"to\":100000}", "--parts", "8");
    List<String> lines = run.stderr().lines().toList();
    assertAll(
        run.toString(),
        () -> assertEquals(0, run.exitCode()),
        () -> assertEquals("9592\n", run.stdout()),
        () -> assertTrue(JOB_STARTED.matcher(lines.get(0)).matches(), "the first line names the job"),
        () -> assertTrue(
            lines.get(lines.size() - 1).matches(
                "progress: 8/8 parts \\(100%\\), 0 failed, 0 retried, [0-9.]+/s, succeeded after \\d+:\\d\\d"),
            "the last line says it succeeded"),
        () -> assertTrue(lines.stream().skip(1).allMatch(line -> line.startsWith("progress: ")), "only progress lines"),
        () -> assertFalse(run.stderr().contains("\r"), "no carriage return off a terminal"),
        () -> assertFalse(run.stderr().contains("\u001b"), "no escape sequence off a terminal"));
  }

  @Test
  void aJobOfListedInputsPrintsTheirResultsInOrder(TestInfo test) throws Exception {
    Path inputs = dir.resolve("words.jsonl");
    Files.writeString(inputs, "{\"text\":\"a b a\"}\n{\"text\":\"c\"}\n", StandardCharsets.UTF_8);
    CliRun run = taskgrid(test, "job", "wordcount", "--inputs", inputs.toString(), "--mode", "thread");
    assertAll(
        run.toString(),
        () -> assertEquals(0, run.exitCode()),
        () -> assertTrue(run.stdout().startsWith("[{"), "a list of two results"),
        () -> assertTrue(run.stdout().indexOf("\"a\":2") < run.stdout().indexOf("\"c\":1"), "in input order"),
        () -> assertTrue(run.stderr().contains("progress: 2/2 parts (100%), 0 failed, 0 retried")));
  }

  @Test
  void aFailedJobListsItsFailedPartsAndExits1(TestInfo test) throws Exception {
    Path inputs = dir.resolve("sleeps.json");
    Files.writeString(inputs, "[{\"millis\":10}, {\"millis\":20000}]", StandardCharsets.UTF_8);
    CliRun run = taskgrid(test, "job", "sleep", "--inputs", inputs.toString(), "--mode", "thread");
    assertAll(
        run.toString(),
        () -> assertEquals(1, run.exitCode()),
        () -> assertEquals("", run.stdout(), "no result"),
        () -> assertTrue(run.stderr().contains(" 1 failed, ")),
        () -> assertTrue(Pattern.compile("taskgrid: job [0-9a-f-]{36} failed: 1 of 2 parts failed").matcher(run.stderr()).find()),
        () -> assertTrue(run.stderr().contains("  part 1: timeout: ")));
  }

  @Test
  void aJobCancelledWhileFollowedSaysSoAndExits1(TestInfo test) throws Exception {
    // Async sleeps hold no thread: the job's window of 256 parts runs at once, 20 windows in all.
    Path inputs = dir.resolve("long.jsonl");
    Files.writeString(inputs, "{\"millis\":500}\n".repeat(5000), StandardCharsets.UTF_8);
    ExecutorService background = Executors.newSingleThreadExecutor();
    try {
      Future<CliRun> following =
          background.submit(() -> taskgrid(test, "job", "sleep", "--inputs", inputs.toString(), "--mode", "async"));
      GatewayClient client = new GatewayClient(httpPort, TOKEN);
      String id = awaitRunningJob(client, Duration.ofSeconds(30));
      assertEquals(202, client.delete("/v1/jobs/" + id).status());

      CliRun run = following.get(RUN_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
      assertAll(
          run.toString(),
          () -> assertEquals(1, run.exitCode()),
          () -> assertEquals("", run.stdout(), "no result"),
          () -> assertTrue(run.stderr().contains("job " + id + " started")),
          () -> assertTrue(run.stderr().contains(", cancelled after ")),
          () -> assertTrue(run.stderr().contains("taskgrid: job " + id + " was cancelled after ")));
    } finally {
      background.shutdownNow();
    }
  }

  @Test
  void statusPrintsTheMembersAndExecutorsAsTables(TestInfo test) throws Exception {
    CliRun run = taskgrid(test, "status");
    String self = "akka://taskgrid@127.0.0.1:" + clusterPort;
    assertAll(
        run.toString(),
        () -> assertEquals(0, run.exitCode()),
        () -> assertEquals("", run.stderr()),
        () -> assertTrue(run.stdout().startsWith("gateway: " + self + "\n")),
        () -> assertTrue(Pattern.compile("(?m)^ADDRESS +ROLES +STATUS$").matcher(run.stdout()).find()),
        () -> assertTrue(Pattern.compile("(?m)^" + Pattern.quote(self) + " +gateway,worker +up$").matcher(run.stdout()).find()),
        () -> assertTrue(Pattern.compile("(?m)^NODE +STATE +CAPACITY +IN FLIGHT +COMPLETED +BLOCKING SLOTS +CPU SLOTS$").matcher(run.stdout()).find()),
        () -> assertTrue(Pattern.compile("(?m)^" + Pattern.quote(self) + " +active( +\\d+){5}$").matcher(run.stdout()).find()));
  }

  @Test
  void theTokenComesFromTheOptionOrTheEnvironmentAndWithoutOneIts401(TestInfo test) throws Exception {
    CliRun none = run(test, launcher("status", "--url", url), Map.of("PATH", path));
    assertAll(
        none.toString(),
        () -> assertEquals(1, none.exitCode()),
        () -> assertTrue(none.stderr().startsWith("taskgrid: the gateway answered 401 unauthorized: ")),
        () -> assertTrue(none.stderr().contains("give a token with --token or TASKGRID_TOKEN")));

    CliRun option = run(test, launcher("status", "--url", url, "--token", TOKEN), Map.of("PATH", path));
    assertEquals(0, option.exitCode(), option::toString);
  }

  @Test
  void noGatewayThereExits3AndSaysWhereItTried(TestInfo test) throws Exception {
    String nowhere = "http://127.0.0.1:" + FreePort.next();
    CliRun viaLauncher = run(test, launcher("status"), Map.of("PATH", path, "TASKGRID_URL", nowhere));
    // The jar on its own, as a process: the same.
    CliRun viaJar =
        run(test, NodeProcess.javaJar(Artifacts.cliJar(), List.of(), "run", "echo", "{}", "--url", nowhere), Map.of());
    for (CliRun run : List.of(viaLauncher, viaJar)) {
      assertAll(
          run.toString(),
          () -> assertEquals(3, run.exitCode()),
          () -> assertTrue(run.stderr().startsWith("taskgrid: cannot connect to the gateway at " + nowhere + ": connection refused")));
    }
  }

  /** The id of the one running job, once there is one. */
  private static String awaitRunningJob(GatewayClient client, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    GatewayClient.Reply reply = null;
    while (System.nanoTime() < deadline) {
      reply = client.get("/v1/jobs?state=running", Duration.ofSeconds(5));
      assertEquals(200, reply.status(), reply::toString);
      if (reply.json().size() > 0) {
        return reply.json().get(0).path("id").asText();
      }
      Thread.sleep(100);
    }
    return fail("no job was running within " + timeout + "; last: " + reply);
  }

  /** bin/taskgrid with the gateway's URL and the token from the environment. */
  private static CliRun taskgrid(TestInfo test, String... args) throws InterruptedException {
    return run(test, launcher(args), Map.of("PATH", path, "TASKGRID_URL", url, "TASKGRID_TOKEN", TOKEN));
  }

  private static List<String> launcher(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", "bin/taskgrid"));
    command.addAll(List.of(args));
    return command;
  }

  private static CliRun run(TestInfo test, List<String> command, Map<String, String> env) throws InterruptedException {
    String name = "CliIT-" + test.getTestMethod().map(method -> method.getName()).orElse("run") + "-" + RUNS.incrementAndGet();
    CliRun run = CliRun.run(name, command, new HashMap<>(env), RUN_TIMEOUT);
    assertFalse(run.stderr().contains(REBUILD_MARKER) || run.stdout().contains(REBUILD_MARKER), "fresh jar, yet it rebuilt" + run);
    return run;
  }
}
