// Small jobs per second, for bench/store.sh: CLIENTS threads each post a job and follow its event
// stream to its `done` event, then post the next, for WARM_S seconds of warm-up and
// then MEASURE_S seconds measured. Compiled together with HttpBench.java (it reuses its helpers).
// Unlike HttpBench.job, it reads each event stream to its end (the gateway ends it after `done`):
// with several threads, closing a stream early let the JDK client close a pooled connection that
// another thread's POST had just been given ("header parser received no bytes").
//   java -cp run/bench/classes JobRate BASE_URL BODY CLIENTS WARM_S MEASURE_S
// Prints one line of key=value pairs: the jobs that ended within the measured window, jobs/s, and
// p50/p99 of their wall time (POST to `done`). A job that fails or does not succeed ends the run with an
// error, as everywhere in HttpBench: a figure is only printed for work that was done.
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class JobRate {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern DONE_EVENT = Pattern.compile("(?m)^event:\\s*done\\s*$");
  private static final Pattern DATA = Pattern.compile("(?m)^data:(.*)$");
  private static final Pattern STATE = Pattern.compile("\"state\":\"(\\w+)\"");
  private static final Pattern PARTS = Pattern.compile("\"parts\":(\\d+)");
  private static final Pattern DONE = Pattern.compile("\"done\":(\\d+)");

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    if (args.length != 5) {
      throw new IllegalArgumentException("usage: JobRate BASE_URL BODY CLIENTS WARM_S MEASURE_S");
    }
    String base = args[0];
    String body = HttpBench.body(args[1]);
    int clients = Integer.parseInt(args[2]);
    long warmNanos = (long) (Double.parseDouble(args[3]) * 1e9);
    long measureNanos = (long) (Double.parseDouble(args[4]) * 1e9);

    long start = System.nanoTime();
    long measureFrom = start + warmNanos;
    long measureUntil = measureFrom + measureNanos;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    // Per client, the wall times (ms) of its jobs that ended inside the measured window.
    List<List<Double>> measured = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      List<Double> mine = new ArrayList<>();
      measured.add(mine);
      Thread thread = new Thread(() -> {
        try {
          while (failure.get() == null) {
            long posted = System.nanoTime();
            if (posted >= measureUntil) {
              return;
            }
            job(base, body);
            long ended = System.nanoTime();
            if (ended >= measureFrom && ended <= measureUntil) {
              mine.add((ended - posted) / 1e6);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "job-client-" + c);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a job failed", failure.get());
    }
    double[] millis = measured.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
    if (millis.length == 0) {
      throw new IllegalStateException("no job ended within the measured " + args[4] + " s");
    }
    Arrays.sort(millis);
    // Jobs that ended inside the window, over the window: the rate while every client is busy (the
    // warm-up keeps them all busy before it starts, and they keep posting until it ends).
    double seconds = measureNanos / 1e9;
    System.out.printf("clients=%d jobs=%d seconds=%.1f jps=%.1f p50ms=%.1f p99ms=%.1f%n", clients, millis.length,
        seconds, millis.length / seconds, millis[millis.length / 2], millis[(int) (millis.length * 0.99)]);
  }

  /** Posts a job, reads its event stream to its end and checks that the job succeeded whole. */
  static void job(String base, String body) throws Exception {
    HttpResponse<String> created = CLIENT.send(HttpBench.post(base + "/v1/jobs", body), HttpResponse.BodyHandlers.ofString());
    HttpBench.expect(created, 202);
    String location = created.headers().firstValue("Location").orElseThrow();
    HttpRequest events = HttpRequest.newBuilder(URI.create(base + location + "/events"))
        .timeout(Duration.ofMinutes(2)).header("Accept", "text/event-stream").build();
    String stream = HttpBench.expect(CLIENT.send(events, HttpResponse.BodyHandlers.ofString()), 200);
    // Events are blocks of lines separated by a blank line; the done event's data is its result.
    String text = null;
    for (String event : stream.split("\n\n")) {
      if (DONE_EVENT.matcher(event).find()) {
        StringBuilder data = new StringBuilder();
        Matcher line = DATA.matcher(event);
        while (line.find()) {
          data.append(line.group(1).trim());
        }
        text = data.toString();
      }
    }
    if (text == null) {
      throw new IllegalStateException("the event stream of " + location + " ended without a done event");
    }
    String state = HttpBench.group(STATE, text);
    if (!state.equals("succeeded") || !HttpBench.group(DONE, text).equals(HttpBench.group(PARTS, text))) {
      throw new IllegalStateException("job " + location + " ended " + state + ": " + text.substring(0, Math.min(500, text.length())));
    }
  }
}
