package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.taskgrid.gateway.TestGateway;

/**
 * A Server-Sent Events client on the JDK's {@code HttpClient} and {@code BodyHandlers.ofLines()}:
 * a reader thread turns the lines into events as they arrive, and the test takes them one by one,
 * each wait bounded. Closing it cancels the stream.
 */
final class EventStream implements AutoCloseable {
  /**
   * One event.
   *
   * @param type its {@code event:} field, "message" when it has none
   * @param nanos when it arrived ({@link System#nanoTime()})
   */
  record Event(String type, String data, long nanos) {}

  private static final Object END = new Object();

  private final HttpResponse<Stream<String>> response;
  private final BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
  private final Thread reader;

  private EventStream(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects; fails unless the answer's head arrives within {@code within}. */
  static EventStream open(TestGateway gateway, String path, Duration within) throws Exception {
    HttpRequest request =
        gateway.request(path).timeout(within).header("Accept", "text/event-stream").GET().build();
    HttpResponse<Stream<String>> response =
        gateway
            .client()
            .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
            .get(within.toMillis() + 1000, TimeUnit.MILLISECONDS);
    return new EventStream(response);
  }

  int status() {
    return response.statusCode();
  }

  String contentType() {
    return response.headers().firstValue("Content-Type").orElse(null);
  }

  /** The next event, or null once the stream has ended; fails if neither comes in time. */
  Event next(Duration within) throws Exception {
    Object item = arrived.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    if (item == null) {
      fail("neither an event nor the end of the stream within " + within);
    }
    if (item instanceof Throwable error) {
      throw new AssertionError("the event stream failed", error);
    }
    return item == END ? null : (Event) item;
  }

  @Override
  public void close() throws InterruptedException {
    response.body().close();
    reader.interrupt();
    reader.join(2000);
  }

  /** Lines up to an empty one make an event; comment lines (":") and unknown fields are skipped. */
  private void read() {
    try (Stream<String> lines = response.body()) {
      String type = null;
      StringBuilder data = null;
      for (var it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data != null) {
            arrived.add(new Event(type == null ? "message" : type, data.toString(), System.nanoTime()));
          }
          type = null;
          data = null;
        } else if (line.startsWith("event:")) {
          type = value(line);
        } else if (line.startsWith("data:")) {
          data = data == null ? new StringBuilder(value(line)) : data.append('\n').append(value(line));
        }
      }
      arrived.add(END);
    } catch (RuntimeException e) {
      arrived.add(e);
    }
  }

  private static String value(String line) {
    String value = line.substring(line.indexOf(':') + 1);
    return value.startsWith(" ") ? value.substring(1) : value;
  }
}
