// Load generator for bench/*.sh: run with `java bench/HttpBench.java ...` (JDK 17, no build).
//   latency URL TASK INPUT COUNT       sequential calls; prints p50, p99, mean in ms
//   primes URL PARTS TO CONCURRENCY    counts primes below TO in PARTS calls; prints wall time
//   job BASE_URL BODY                  runs one job to its end; prints wall time and parts/s
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class HttpBench {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RESULT = Pattern.compile("\"result\":(\\d+)");

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "latency" -> latency(args[1], args[2], Integer.parseInt(args[3]));
      case "primes" -> primes(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
      case "job" -> job(args[1], args[2].startsWith("@") ? java.nio.file.Files.readString(java.nio.file.Path.of(args[2].substring(1))) : args[2]);
      default -> throw new IllegalArgumentException("latency or primes");
    }
  }

  static HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static void latency(String url, String body, int count) throws Exception {
    int warmup = Math.min(500, count / 2);
    long[] nanos = new long[count];
    for (int i = -warmup; i < count; i++) {
      long start = System.nanoTime();
      HttpResponse<String> response = CLIENT.send(post(url, body), HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - start;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(response.statusCode() + " " + response.body());
      }
      if (i >= 0) {
        nanos[i] = took;
      }
    }
    Arrays.sort(nanos);
    System.out.printf("calls=%d p50=%.2fms p99=%.2fms mean=%.2fms%n", count,
        nanos[count / 2] / 1e6, nanos[(int) (count * 0.99)] / 1e6,
        Arrays.stream(nanos).average().orElse(0) / 1e6);
  }

  static void job(String base, String body) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> created = CLIENT.send(post(base + "/v1/jobs", body), HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 202) {
      throw new IllegalStateException(created.statusCode() + " " + created.body());
    }
    String location = created.headers().firstValue("Location").orElseThrow();
    Pattern state = Pattern.compile("\"state\":\"(\\w+)\"");
    Pattern parts = Pattern.compile("\"parts\":(\\d+)");
    for (int polls = 0; polls < 100_000; polls++) {
      HttpRequest get = HttpRequest.newBuilder(URI.create(base + location)).timeout(Duration.ofSeconds(30)).build();
      String view = CLIENT.send(get, HttpResponse.BodyHandlers.ofString()).body();
      Matcher matcher = state.matcher(view);
      if (matcher.find() && !matcher.group(1).equals("running")) {
        double seconds = (System.nanoTime() - start) / 1e9;
        Matcher count = parts.matcher(view);
        count.find();
        int n = Integer.parseInt(count.group(1));
        String result = view.replaceAll(".*\"result\":(\\d+).*", "$1");
        System.out.printf("state=%s parts=%d wall=%.2fs parts/s=%.0f%s%n", matcher.group(1), n, seconds, n / seconds,
            result.length() < 20 ? " result=" + result : "");
        return;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("the job did not end");
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
