package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * A connection that does not send a complete request head within request-head-timeout is closed,
 * whether it sends nothing, garbage, or half a request line, and whether it is new or idle after
 * an answer; a request in progress (a sync call longer than the head timeout) is not cut.
 */
class RequestHeadTimeoutTest {
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);
  /** A bound on how long the test waits for the close: the timeout and ample slack. */
  private static final Duration CLOSED_WITHIN = HEAD_TIMEOUT.plusSeconds(9);

  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig("taskgrid.gateway.http.request-head-timeout = 1s");

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    assertClosedAfterSending("");
  }

  @Test
  void garbageWithoutSpacesIsClosed() throws Exception {
    assertClosedAfterSending("GARBAGE\r\n\r\n");
  }

  @Test
  void halfARequestLineIsClosed() throws Exception {
    assertClosedAfterSending("POST /v1/tasks/ec");
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAfterItsAnswer() throws Exception {
    try (Socket socket = connect()) {
      send(socket, "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  @Test
  void aCallLongerThanTheHeadTimeoutIsAnswered() throws Exception {
    HttpResult slept = gateway.post("/v1/tasks/sleep?mode=async", "{\"millis\":2500}");
    assertEquals(200, slept.status(), slept::toString);
  }

  private static void assertClosedAfterSending(String bytes) throws IOException {
    try (Socket socket = connect()) {
      send(socket, bytes);
      String answer = readUntilClosed(socket);
      assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
    }
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
    socket.setSoTimeout((int) CLOSED_WITHIN.toMillis());
    return socket;
  }

  private static void send(Socket socket, String bytes) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Whatever the server sends until it closes; fails if it keeps the connection past the bound. */
  private static String readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder read = new StringBuilder();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after " + CLOSED_WITHIN + "; read: " + read);
    } catch (SocketException e) {
      // A reset is a close too.
    }
    return read.toString();
  }
}
