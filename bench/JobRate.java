// Small jobs per second, for bench/store.sh: CLIENTS threads each post a job and follow its event
// stream to its `done` event (HttpBench.job), then post the next, for WARM_S seconds of warm-up and
// then MEASURE_S seconds measured. Compiled together with HttpBench.java (it reuses its client).
//   java -cp run/bench/classes JobRate BASE_URL BODY CLIENTS WARM_S MEASURE_S
// Prints one line of key=value pairs: the jobs that ended within the measured window, jobs/s, and
// p50/p99 of their wall time (POST to `done`). A job that fails or does not succeed ends the run with an
// error, as everywhere in HttpBench: a figure is only printed for work that was done.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

public class JobRate {

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
            HttpBench.JobRun run = HttpBench.job(base, body);
            long ended = System.nanoTime();
            if (ended >= measureFrom && ended <= measureUntil) {
              mine.add(run.seconds() * 1000);
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
}
