// Churn soak for bench/soak.sh: run with `java -cp <gateway jar> bench/Soak.java ...` (JDK 17; the
// jar lends Jackson). It starts the worker JVMs itself, so that it knows what it did to each, and
// churns them while loops of sync calls and jobs with known exact results run against the gateway.
//
// What it counts, per kind of work:
//   completed   answered 200 (a job: succeeded) with the exact result
//   failed      answered with an error (a job: failed); honest answers, listed by code (a call
//               loop waits 0.1 s after a refusal, as a client would)
//   lost        no answer in time: a call with no reply 30 s after its own timeout, a job that never
//               ends (its parts not done nor failed count as lost parts)
//   duplicated  a job that counts more parts done than it has, or an 'inputs' job whose result
//               holds one input's result twice
//   wrong       any other result that is not the exact one
// Longest stall: the longest time in which no sync call completed.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public class Soak {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  /** The widest range of a primes call; ranges lie below PRIME_LIMIT. */
  private static final int PRIME_LIMIT = 4_000_000;
  private static final int CALL_TIMEOUT_SECONDS = 30;
  /** A call with no answer this long after its own timeout is lost. */
  private static final Duration NO_ANSWER = Duration.ofSeconds(CALL_TIMEOUT_SECONDS + 30);
  /** A job not ended this long after it was created is lost. */
  private static final Duration JOB_DEADLINE = Duration.ofMinutes(3);
  private static int[] primesBelow;

  private final Map<String, String> args;
  private final String url;
  private final Random dice;
  private final long startNanos = System.nanoTime();
  private volatile boolean loadRunning = true;

  private final Map<String, Tally> tallies = new TreeMap<>();
  private final Map<String, AtomicLong> churn = new ConcurrentHashMap<>();
  private final AtomicLong retriedParts = new AtomicLong();
  private long lastSuccess = System.nanoTime();
  /** When the gateway's JVM was seen gone, in seconds since the start; -1 while it runs. */
  private volatile double gatewayDiedAt = -1;
  private long longestStall;
  private double longestStallEndsAt;
  private final List<WorkerSlot> slots = new ArrayList<>();

  /** What happened to one kind of work. */
  static final class Tally {
    final AtomicLong completed = new AtomicLong();
    final AtomicLong lost = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong wrong = new AtomicLong();
    final AtomicLong lostParts = new AtomicLong();
    final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();
    final List<String> examples = java.util.Collections.synchronizedList(new ArrayList<>());

    long failedTotal() {
      return failed.values().stream().mapToLong(AtomicLong::get).sum();
    }

    void bad(AtomicLong counter, String example) {
      counter.incrementAndGet();
      if (examples.size() < 5) {
        examples.add(example.length() <= 600 ? example : example.substring(0, 600) + "...");
      }
    }
  }

  /** One worker position: the JVM that fills it now, and what the churn did to it. */
  final class WorkerSlot {
    final int index;
    Process process;
    boolean frozen;
    /** Sent SIGTERM: draining, on its way out. */
    boolean leaving;
    /**
     * Continued after SIGSTOP: it may have been downed while frozen and be on its way out, so it
     * is not counted on to take work (the churn would otherwise kill the last worker that does).
     */
    boolean thawed;
    long thawAt;
    long deadSince = -1;
    /** Where this JVM's output starts in the slot's log, which every JVM of the slot appends to. */
    long logOffset;
    boolean up;

    WorkerSlot(int index) {
      this.index = index;
    }

    Path log() {
      return Path.of(args.get("logs"), "worker-" + index + ".log");
    }

    /** Whether this JVM logged that it is Up with its executor listed. */
    boolean up() {
      if (!up) {
        try (var in = Files.newInputStream(log())) {
          in.skipNBytes(logOffset);
          up = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .contains("is Up; its executor takes work");
        } catch (IOException e) {
          return false;
        }
      }
      return up;
    }

    void start() throws IOException {
      List<String> command = new ArrayList<>(List.of(javaLauncher()));
      command.addAll(Arrays.asList(args.get("jvm-options").trim().split("\\s+")));
      command.addAll(List.of("-jar", args.get("worker-jar"), "--seed", args.get("seed")));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      File log = log().toFile();
      logOffset = log.length();
      up = false;
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      builder.environment().keySet().removeIf(key -> key.startsWith("TASKGRID_"));
      builder.environment().put("TASKGRID_CLUSTER_HOST", "127.0.0.1");
      builder.environment().put("TASKGRID_CLUSTER_TLS", "off");
      // Several workers on one machine: no metrics port, rather than a fight over one.
      builder.environment().put("TASKGRID_METRICS_PORT", "0");
      process = builder.start();
      Files.writeString(Path.of(args.get("pids")), process.pid() + "\n", StandardOpenOption.APPEND);
      frozen = false;
      leaving = false;
      thawed = false;
      deadSince = -1;
      churn.computeIfAbsent("starts", k -> new AtomicLong()).incrementAndGet();
    }

    boolean healthy() {
      return process != null && process.isAlive() && !frozen && !leaving && !thawed && up();
    }
  }

  Soak(Map<String, String> args) {
    this.args = args;
    this.url = args.get("url");
    this.dice = new Random(Long.parseLong(args.getOrDefault("dice", Long.toString(System.nanoTime()))));
    for (String kind : List.of("calls: primes", "calls: echo", "jobs: primes, 16 parts", "jobs: echo, 40 inputs")) {
      tallies.put(kind, new Tally());
    }
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    primesBelow = primeCounts(PRIME_LIMIT);
    System.exit(new Soak(args).run());
  }

  int run() throws Exception {
    int workers = Integer.parseInt(args.get("workers"));
    double minutes = Double.parseDouble(args.get("minutes"));
    for (int i = 1; i <= workers; i++) {
      WorkerSlot slot = new WorkerSlot(i);
      slots.add(slot);
      slot.start();
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::killWorkers));
    awaitActiveExecutors(workers, Duration.ofMinutes(3));
    System.out.printf("soak: %d workers, %.1f min of churn; logs in %s%n", workers, minutes, args.get("logs"));

    List<Thread> load = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      load.add(start("primes-calls-" + i, this::primesCalls));
    }
    load.add(start("echo-calls", this::echoCalls));
    load.add(start("jobs", this::jobs));
    synchronized (this) {
      lastSuccess = System.nanoTime();
    }
    long end = System.nanoTime() + (long) (minutes * 60e9);
    long nextReport = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      if (!gatewayAlive()) {
        gatewayDiedAt = seconds(System.nanoTime());
        System.out.printf("  t=%.0f s  THE GATEWAY EXITED (see gateway.log): the soak stops here%n", gatewayDiedAt);
        break;
      }
      churnOnce();
      Thread.sleep(3000 + dice.nextInt(3000));
      if (System.nanoTime() > nextReport) {
        nextReport += 30_000_000_000L;
        System.out.printf("  t=%.0f s  %s%n", seconds(System.nanoTime()), progress());
      }
    }
    // The end of churn: frozen workers go on, dead ones come back; the load stops and finishes.
    for (WorkerSlot slot : slots) {
      if (slot.frozen && slot.process.isAlive()) {
        signal(slot, "CONT");
        slot.frozen = false;
      }
    }
    loadRunning = false;
    for (Thread thread : load) {
      thread.join(gatewayDiedAt >= 0 ? 5000 : JOB_DEADLINE.toMillis() + NO_ANSWER.toMillis());
    }
    stall(System.nanoTime(), false);
    return report(minutes);
  }

  // --- churn ---------------------------------------------------------------------------------

  private void churnOnce() throws Exception {
    long now = System.nanoTime();
    for (WorkerSlot slot : slots) {
      if (slot.frozen && now >= slot.thawAt) {
        // A frozen worker is let go on (it finds itself downed, or not yet) or killed where it is.
        if (dice.nextBoolean()) {
          signal(slot, "CONT");
          slot.thawed = true;
          count("SIGCONT after SIGSTOP");
        } else {
          slot.process.destroyForcibly();
          count("SIGKILL after SIGSTOP");
        }
        slot.frozen = false;
      }
      if (slot.process != null && !slot.process.isAlive()) {
        if (slot.deadSince < 0) {
          slot.deadSince = now;
        } else if (now - slot.deadSince > 1_000_000_000L) {
          slot.start();
        }
      }
    }
    List<WorkerSlot> healthy = slots.stream().filter(WorkerSlot::healthy).toList();
    // One worker that takes work is always left alone, so that work can go on somewhere: healthy
    // counts only JVMs that run, are Up (a worker just started may not have joined yet) and were
    // not sent a signal. The gateway's own view would lag: a worker just killed stays active in
    // it until the failure detector notices, seconds later.
    if (healthy.size() < 2) {
      return;
    }
    WorkerSlot victim = healthy.get(dice.nextInt(healthy.size()));
    int roll = dice.nextInt(10);
    if (roll < 4) {
      victim.process.destroyForcibly();
      count("SIGKILL");
    } else if (roll < 7) {
      signal(victim, "STOP");
      victim.frozen = true;
      victim.thawAt = System.nanoTime() + (2 + dice.nextInt(10)) * 1_000_000_000L;
      count("SIGSTOP");
    } else {
      victim.process.destroy();
      victim.leaving = true;
      count("SIGTERM");
    }
  }

  private void count(String action) {
    churn.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
  }

  private static void signal(WorkerSlot slot, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, Long.toString(slot.process.pid())).inheritIO().start().waitFor();
  }

  private void killWorkers() {
    for (WorkerSlot slot : slots) {
      if (slot.process != null && slot.process.isAlive()) {
        try {
          signal(slot, "CONT");
        } catch (Exception e) {
          // SIGKILL below ends it anyway.
        }
        slot.process.destroyForcibly();
      }
    }
  }

  // --- load ----------------------------------------------------------------------------------

  private void primesCalls() {
    Random random = new Random(dice.nextLong());
    Tally tally = tallies.get("calls: primes");
    while (loadRunning) {
      int width = 1 + random.nextInt(300_000);
      int from = random.nextInt(PRIME_LIMIT - width);
      String body = "{\"from\":" + from + ",\"to\":" + (from + width) + "}";
      call(tally, "/v1/tasks/primes?timeout=" + CALL_TIMEOUT_SECONDS + "s", body,
          JSON.getNodeFactory().numberNode(primesBelow[from + width] - primesBelow[from]));
    }
  }

  private void echoCalls() {
    Tally tally = tallies.get("calls: echo");
    long n = 0;
    while (loadRunning) {
      ObjectNode input = JSON.createObjectNode().put("echo", n++).put("text", "soak \u2713 " + n);
      call(tally, "/v1/tasks/echo?mode=process&timeout=" + CALL_TIMEOUT_SECONDS + "s", input.toString(),
          parse(input.toString()));
    }
  }

  private void call(Tally tally, String path, String body, JsonNode expected) {
    HttpResponse<String> response;
    try {
      response = CLIENT.send(post(path, body, NO_ANSWER), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      tally.bad(tally.lost, "POST " + path + " " + body + ": " + e);
      pauseAfterNoAnswer();
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() == 200) {
      if (expected.equals(answer.path("result"))) {
        tally.completed.incrementAndGet();
        if (answer.path("attempts").asInt() > 1) {
          retriedParts.incrementAndGet();
        }
        stall(System.nanoTime(), true);
      } else {
        tally.bad(tally.wrong, body + " -> " + response.body());
      }
    } else {
      String code = answer.path("error").path("code").asText("status " + response.statusCode());
      tally.failed.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
      // A refusal comes at once: as a client would, wait a little before the next call, so that
      // the count says how long work was refused rather than how fast a loop spins.
      pause(100);
    }
  }

  private void jobs() {
    Random random = new Random(dice.nextLong());
    long n = 0;
    while (loadRunning) {
      if (n++ % 2 == 0) {
        int from = random.nextInt(PRIME_LIMIT / 2);
        int to = from + 1 + random.nextInt(PRIME_LIMIT / 2);
        String body = "{\"task\":\"primes\",\"input\":{\"from\":" + from + ",\"to\":" + to + "},\"parts\":16}";
        job(tallies.get("jobs: primes, 16 parts"), body, 16,
            JSON.getNodeFactory().numberNode(primesBelow[to] - primesBelow[from]));
      } else {
        ArrayNode inputs = JSON.createArrayNode();
        for (int i = 0; i < 40; i++) {
          inputs.add(JSON.createObjectNode().put("job", n).put("input", i));
        }
        ObjectNode body = JSON.createObjectNode().put("task", "echo").put("mode", "process");
        body.set("inputs", inputs);
        job(tallies.get("jobs: echo, 40 inputs"), body.toString(), 40, parse(inputs.toString()));
      }
    }
  }

  private void job(Tally tally, String body, int parts, JsonNode expected) {
    try {
      HttpResponse<String> created = CLIENT.send(post("/v1/jobs", body, NO_ANSWER), HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 202) {
        String code = parse(created.body()).path("error").path("code").asText("status " + created.statusCode());
        tally.failed.computeIfAbsent("create: " + code, k -> new AtomicLong()).incrementAndGet();
        Thread.sleep(500);
        return;
      }
      String status = parse(created.body()).path("status").asText();
      long deadline = System.nanoTime() + JOB_DEADLINE.toNanos();
      JsonNode view = null;
      while (System.nanoTime() < deadline) {
        HttpResponse<String> got = CLIENT.send(
            HttpRequest.newBuilder(URI.create(url + status)).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        view = parse(got.body());
        if (got.statusCode() == 200 && !view.path("state").asText().equals("running")) {
          break;
        }
        Thread.sleep(250);
      }
      String state = view == null ? "none" : view.path("state").asText();
      int done = view == null ? 0 : view.path("done").asInt();
      int failed = view == null ? 0 : view.path("failed").asInt();
      if (view != null) {
        retriedParts.addAndGet(view.path("retried").asLong());
      }
      if (state.equals("running") || state.equals("none")) {
        tally.bad(tally.lost, status + " never ended: " + view);
        tally.lostParts.addAndGet(Math.max(0, parts - done - failed));
      } else if (done > parts || duplicates(view.path("result"))) {
        tally.bad(tally.duplicated, status + ": " + view);
      } else if (state.equals("succeeded")) {
        if (done == parts && expected.equals(view.path("result"))) {
          tally.completed.incrementAndGet();
        } else {
          tally.bad(tally.wrong, status + " expected " + expected + ": " + view);
        }
      } else {
        String code = view.path("errors").path(0).path("code").asText(state);
        tally.failed.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
      }
    } catch (IOException e) {
      tally.bad(tally.lost, "job " + body + ": " + e);
      pauseAfterNoAnswer();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether an 'inputs' job's result list holds one result twice (every input differs). */
  private static boolean duplicates(JsonNode result) {
    if (!result.isArray()) {
      return false;
    }
    Set<JsonNode> seen = new HashSet<>();
    for (JsonNode element : result) {
      if (!seen.add(element)) {
        return true;
      }
    }
    return false;
  }

  // --- figures -------------------------------------------------------------------------------

  private synchronized void stall(long now, boolean success) {
    long gap = now - lastSuccess;
    if (gap > longestStall) {
      longestStall = gap;
      longestStallEndsAt = seconds(now);
    }
    if (success) {
      lastSuccess = now;
    }
  }

  private double seconds(long nanos) {
    return (nanos - startNanos) / 1e9;
  }

  private String progress() {
    StringBuilder line = new StringBuilder();
    tallies.forEach((kind, tally) -> line.append(kind).append(' ').append(tally.completed.get()).append("  "));
    return line.append("churn ").append(churn).toString();
  }

  private int report(double minutes) {
    System.out.println();
    System.out.printf("Churn soak: %.1f min, %s workers; churn: %s%n", minutes, args.get("workers"), new TreeMap<>(churn));
    System.out.printf("%-24s %10s %8s %6s %11s %6s%n", "", "completed", "failed", "lost", "duplicated", "wrong");
    long lost = 0;
    long lostParts = 0;
    long duplicated = 0;
    long wrong = 0;
    for (Map.Entry<String, Tally> entry : tallies.entrySet()) {
      Tally tally = entry.getValue();
      System.out.printf("%-24s %10d %8d %6d %11d %6d%n", entry.getKey(), tally.completed.get(), tally.failedTotal(),
          tally.lost.get(), tally.duplicated.get(), tally.wrong.get());
      lost += tally.lost.get();
      lostParts += entry.getKey().startsWith("calls") ? tally.lost.get() : tally.lostParts.get();
      duplicated += tally.duplicated.get();
      wrong += tally.wrong.get();
    }
    System.out.println();
    System.out.printf("parts lost: %d   duplicated results: %d   wrong results: %d   (each must be 0)%n",
        lostParts, duplicated, wrong);
    System.out.printf("longest stall: %.1f s without a completed sync call (ending at t=%.0f s)%n",
        longestStall / 1e9, longestStallEndsAt);
    System.out.printf("parts that took more than one attempt: %d%n", retriedParts.get());
    if (gatewayDiedAt >= 0) {
      System.out.printf("THE GATEWAY EXITED at t=%.0f s, while the churn went on; the soak stopped there%n",
          gatewayDiedAt);
    }
    tallies.forEach((kind, tally) -> {
      if (!tally.failed.isEmpty()) {
        System.out.printf("failed %s, by code: %s%n", kind, new TreeMap<>(tally.failed));
      }
      tally.examples.forEach(example -> System.out.printf("  %s: %s%n", kind, example));
    });
    return lost + lostParts + duplicated + wrong == 0 && gatewayDiedAt < 0 ? 0 : 1;
  }

  // --- plumbing ------------------------------------------------------------------------------

  /** After a call with no answer (the gateway may be gone): no loop of refused connections. */
  private static void pauseAfterNoAnswer() {
    pause(1000);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the gateway's JVM still runs; the churn never touches it. */
  private boolean gatewayAlive() {
    return ProcessHandle.of(Long.parseLong(args.get("gateway-pid"))).map(ProcessHandle::isAlive).orElse(false);
  }

  private static Thread start(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.start();
    return thread;
  }

  private void awaitActiveExecutors(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (activeExecutors() >= count) {
        return;
      }
      // A JVM may fail to start on a loaded machine (Akka's logger start-up times out): again.
      for (WorkerSlot slot : slots) {
        if (!slot.process.isAlive()) {
          slot.start();
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(count + " workers did not become active within " + timeout);
  }

  /** The executors that the gateway sees taking work; 0 when it does not answer. */
  private int activeExecutors() throws InterruptedException {
    try {
      HttpResponse<String> view = CLIENT.send(
          HttpRequest.newBuilder(URI.create(url + "/v1/cluster")).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      int active = 0;
      for (JsonNode executor : parse(view.body()).path("executors")) {
        active += executor.path("state").asText().equals("active") ? 1 : 0;
      }
      return active;
    } catch (IOException e) {
      return 0;
    }
  }

  private HttpRequest post(String path, String body, Duration timeout) {
    return HttpRequest.newBuilder(URI.create(url + path))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(body);
    }
  }

  private static String javaLauncher() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** counts[n] = the number of primes below n, for n up to limit. */
  private static int[] primeCounts(int limit) {
    boolean[] composite = new boolean[limit + 1];
    int[] counts = new int[limit + 1];
    for (int i = 2; (long) i * i <= limit; i++) {
      if (!composite[i]) {
        for (int j = i * i; j <= limit; j += i) {
          composite[j] = true;
        }
      }
    }
    for (int n = 1; n <= limit; n++) {
      counts[n] = counts[n - 1] + (n - 1 >= 2 && !composite[n - 1] ? 1 : 0);
    }
    return counts;
  }
}
