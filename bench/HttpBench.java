// The HTTP client of the bench scripts. bench/run.sh compiles it once (javac) into run/bench/;
// the older scripts run it from source (`java bench/HttpBench.java ...`, JDK 17, no build).
//   latency URL BODY COUNT [WARMUP]    sequential calls on one connection; p50, p99, mean of COUNT
//                                      after WARMUP calls (a number) or seconds of calls ("8s")
//   call URL BODY RUNS                 sequential calls, each timed; the median wall time
//   primes URL PARTS TO CONCURRENCY    counts primes below TO in PARTS calls; wall time
//   job BASE_URL BODY                  one job to its end; wall time and parts/s
//   jobs BASE_URL BODY RUNS            RUNS jobs one after another; the median wall time
//   batch BASE_URL BODY WARM_S RUNS    the first job (cold), then jobs for WARM_S seconds, then
//                                      RUNS more (warm); parts/s of the first and the median
// BODY is JSON, or @file. A job's wall time runs from sending its POST to receiving its `done`
// Server-Sent Event, so no polling interval blurs it. Output lines are key=value pairs, for
// bench/run.sh to read. Any answer that is not the expected status, or a job that does not
// succeed, ends the run with an error: a figure is only printed for work that was done.
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

public class HttpBench {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RESULT = Pattern.compile("\"result\":(\\d+)");
  private static final Pattern STATE = Pattern.compile("\"state\":\"(\\w+)\"");
  private static final Pattern PARTS = Pattern.compile("\"parts\":(\\d+)");
  private static final Pattern DONE = Pattern.compile("\"done\":(\\d+)");

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    switch (args[0]) {
      case "latency" -> latency(args[1], body(args[2]), Integer.parseInt(args[3]), args.length > 4 ? args[4] : "");
      case "call" -> call(args[1], body(args[2]), Integer.parseInt(args[3]));
      case "primes" -> primes(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
      case "job" -> {
        JobRun run = job(args[1], body(args[2]));
        System.out.printf("state=%s parts=%d wall=%.2fs parts/s=%.0f%s%n", run.state, run.parts, run.seconds,
            run.parts / run.seconds, run.result.length() < 20 ? " result=" + run.result : "");
      }
      case "jobs" -> jobs(args[1], body(args[2]), Integer.parseInt(args[3]));
      case "batch" -> batch(args[1], body(args[2]), Double.parseDouble(args[3]), Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("latency, call, primes, job, jobs or batch");
    }
  }

  static String body(String arg) throws IOException {
    return arg.startsWith("@") ? Files.readString(Path.of(arg.substring(1))) : arg;
  }

  static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static String expect(HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      throw new IllegalStateException("HTTP " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String list(double[] values, String format) {
    return Arrays.stream(values).mapToObj(v -> String.format(format, v)).collect(Collectors.joining(","));
  }

  static void latency(String url, String body, int count, String warmup) throws Exception {
    // Warm-up by time gives every server the same chance to compile its hot paths (a fixed count
    // leaves a slow server's paths less compiled than a fast one's).
    if (warmup.endsWith("s")) {
      long until = System.nanoTime() + (long) (Double.parseDouble(warmup.substring(0, warmup.length() - 1)) * 1e9);
      while (System.nanoTime() < until) {
        expect(CLIENT.send(post(url, body), HttpResponse.BodyHandlers.ofString()), 200);
      }
    } else {
      int calls = warmup.isEmpty() ? Math.min(500, count / 2) : Integer.parseInt(warmup);
      for (int i = 0; i < calls; i++) {
        expect(CLIENT.send(post(url, body), HttpResponse.BodyHandlers.ofString()), 200);
      }
    }
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = CLIENT.send(post(url, body), HttpResponse.BodyHandlers.ofString());
      nanos[i] = System.nanoTime() - start;
      expect(response, 200);
    }
    Arrays.sort(nanos);
    long p50 = nanos[count / 2];
    long p99 = nanos[(int) (count * 0.99)];
    double mean = Arrays.stream(nanos).average().orElse(0);
    System.out.printf("calls=%d p50=%.2fms p99=%.2fms mean=%.2fms p50us=%.0f p99us=%.0f meanus=%.0f%n",
        count, p50 / 1e6, p99 / 1e6, mean / 1e6, p50 / 1e3, p99 / 1e3, mean / 1e3);
  }

  static void call(String url, String body, int runs) throws Exception {
    double[] millis = new double[runs];
    String result = "";
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      String answer = expect(CLIENT.send(post(url, body), HttpResponse.BodyHandlers.ofString()), 200);
      millis[i] = (System.nanoTime() - start) / 1e6;
      Matcher matcher = RESULT.matcher(answer);
      result = matcher.find() ? matcher.group(1) : "";
    }
    System.out.printf("runs=%d medianms=%.0f allms=%s result=%s%n", runs, median(millis), list(millis, "%.0f"), result);
  }

  record JobRun(String state, int parts, double seconds, String result) {}

  /** Posts a job and follows its event stream to the `done` event. */
  static JobRun job(String base, String body) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> created = CLIENT.send(post(base + "/v1/jobs", body), HttpResponse.BodyHandlers.ofString());
    expect(created, 202);
    String location = created.headers().firstValue("Location").orElseThrow();
    HttpRequest events = HttpRequest.newBuilder(URI.create(base + location + "/events"))
        .timeout(Duration.ofMinutes(5)).header("Accept", "text/event-stream").build();
    HttpResponse<Stream<String>> stream = CLIENT.send(events, HttpResponse.BodyHandlers.ofLines());
    if (stream.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + stream.statusCode() + " for " + location + "/events");
    }
    String done = null;
    try (Stream<String> lines = stream.body()) {
      String type = "";
      StringBuilder data = new StringBuilder();
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        } else if (line.isEmpty()) {
          if (type.equals("done")) {
            done = data.toString();
            break;
          }
          type = "";
          data.setLength(0);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (done == null) {
      throw new IllegalStateException("the event stream of " + location + " ended without a done event");
    }
    String state = group(STATE, done);
    int parts = Integer.parseInt(group(PARTS, done));
    if (!state.equals("succeeded") || Integer.parseInt(group(DONE, done)) != parts) {
      throw new IllegalStateException("job " + location + " ended " + state + ": "
          + done.substring(0, Math.min(500, done.length())));
    }
    Matcher result = RESULT.matcher(done);
    return new JobRun(state, parts, seconds, result.find() ? result.group(1) : "list");
  }

  static String group(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + pattern + " in " + text.substring(0, Math.min(300, text.length())));
    }
    return matcher.group(1);
  }

  static void jobs(String base, String body, int runs) throws Exception {
    double[] seconds = new double[runs];
    JobRun run = null;
    for (int i = 0; i < runs; i++) {
      run = job(base, body);
      seconds[i] = run.seconds;
    }
    System.out.printf("runs=%d parts=%d medians=%.3f alls=%s result=%s%n", runs, run.parts, median(seconds),
        list(seconds, "%.3f"), run.result);
  }

  static void batch(String base, String body, double warmSeconds, int runs) throws Exception {
    warmUpThisClient(body);
    JobRun first = job(base, body);
    double cold = first.parts / first.seconds;
    long warmUntil = System.nanoTime() + (long) (warmSeconds * 1e9);
    int warmJobs = 0;
    while (System.nanoTime() < warmUntil) {
      job(base, body);
      warmJobs++;
    }
    double[] rates = new double[runs];
    for (int i = 0; i < runs; i++) {
      JobRun run = job(base, body);
      rates[i] = run.parts / run.seconds;
    }
    System.out.printf("parts=%d coldtps=%.0f coldwall=%.3f warmupjobs=%d warmtps=%.0f warmall=%s%n", first.parts,
        cold, first.seconds, warmJobs, median(rates), list(rates, "%.0f"));
  }

  /**
   * Runs this client's own code paths (POST of the same body, an event stream) against a sink in
   * this JVM, so that the first job measured against the gateway is cold on the gateway's side
   * only, not on the client's.
   */
  static void warmUpThisClient(String body) throws Exception {
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    byte[] accepted = "{\"id\":\"w\",\"status\":\"/v1/jobs/w\"}".getBytes(StandardCharsets.UTF_8);
    byte[] done = ("data:{\"state\":\"succeeded\",\"parts\":1,\"done\":1,\"result\":1}\nevent:done\n\n")
        .getBytes(StandardCharsets.UTF_8);
    sink.createContext("/v1/jobs", exchange -> {
      exchange.getRequestBody().readAllBytes();
      boolean events = exchange.getRequestURI().getPath().endsWith("/events");
      if (!events) {
        exchange.getResponseHeaders().add("Location", "/v1/jobs/w");
      }
      byte[] answer = events ? done : accepted;
      exchange.sendResponseHeaders(events ? 200 : 202, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    });
    sink.start();
    try {
      String base = "http://127.0.0.1:" + sink.getAddress().getPort();
      for (int i = 0; i < 150; i++) {
        job(base, body);
      }
    } finally {
      sink.stop(0);
    }
  }

  static void primes(String url, int parts, long to, int concurrency) throws Exception {
    Semaphore inFlight = new Semaphore(concurrency);
    List<CompletableFuture<Long>> answers = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < parts; i++) {
      long from = to * i / parts;
      long until = to * (i + 1) / parts;
      inFlight.acquire();
      answers.add(
          CLIENT.sendAsync(post(url, "{\"from\":" + from + ",\"to\":" + until + "}"), HttpResponse.BodyHandlers.ofString())
              .thenApply(response -> {
                Matcher matcher = RESULT.matcher(response.body());
                if (response.statusCode() != 200 || !matcher.find()) {
                  throw new IllegalStateException(response.statusCode() + " " + response.body());
                }
                return Long.parseLong(matcher.group(1));
              })
              .whenComplete((count, error) -> inFlight.release()));
    }
    long total = 0;
    for (CompletableFuture<Long> answer : answers) {
      total += answer.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("parts=%d primes-below-%d=%d wall=%.2fs parts/s=%.1f%n", parts, to, total, seconds, parts / seconds);
  }
}
