package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A gateway JVM with a small heap ({@code -Xmx256m}) against hostile clients: a flood of tiny job
 * requests that would each make 100 000 parts, a batch whose results exceed the result limit, a
 * thousand connections that send half a request line and then nothing, and requests from other
 * web origins or to other Host names. It must answer every request within the contract, keep its
 * heap under its memory budget, keep serving a normal client, and stay alive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileClientsIT {
  private static final Duration HEAD_TIMEOUT = Duration.ofSeconds(3);
  private static final long MAX_RESULT_BYTES = 512 * 1024;
  private static final String FLOOD_JOB =
      "{\"task\":\"primes\",\"input\":{\"from\":0,\"to\":1000000000},\"parts\":100000}";
  private static final Pattern BUDGET =
      Pattern.compile("Memory budget for work: (\\d+) MiB of a (\\d+) MiB maximum heap");
  private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");

  private static int httpPort;
  private static GatewayClient client;
  private static NodeProcess gateway;
  private static long budgetMib;

  @BeforeAll
  static void startGateway() throws InterruptedException {
    httpPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gateway =
        NodeProcess.start(
            "HostileClientsIT-gateway",
            NodeProcess.javaJar(
                Artifacts.gatewayJar(),
                List.of(
                    "-Xmx256m",
                    "-Dtaskgrid.gateway.http.request-head-timeout=" + HEAD_TIMEOUT.toSeconds() + "s",
                    "-Dtaskgrid.jobs.max-result-size=" + MAX_RESULT_BYTES)),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next())));
    gateway.awaitReady(client, Duration.ofSeconds(60));
    Matcher budget = BUDGET.matcher(gateway.log());
    assertTrue(budget.find(), "the gateway logged no memory budget" + gateway.tail());
    budgetMib = Long.parseLong(budget.group(1));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  @Order(1)
  void aBatchWhoseResultsExceedTheLimitFailsWithTooLarge() throws Exception {
    // 100 000 numbers of 7 digits: under the 1 MiB body limit, about 800 KB of results.
    String inputs =
        IntStream.range(0, 100_000).mapToObj(i -> Integer.toString(1_000_000 + i)).collect(Collectors.joining(","));
    GatewayClient.Reply created =
        client.post("/v1/jobs", "{\"task\":\"echo\",\"inputs\":[" + inputs + "]}", Duration.ofSeconds(30));
    assertEquals(202, created.status(), created::toString);
    String id = created.json().path("id").asText();
    JsonNode job = Jobs.awaitFinished(client, "/v1/jobs/" + id, Duration.ofSeconds(120));
    assertEquals("failed", job.path("state").asText(), job::toString);
    JsonNode error = job.path("errors").path(0);
    assertEquals("too_large", error.path("code").asText(), job::toString);
    assertTrue(error.path("message").asText().contains("max-result-size"), job::toString);
    assertTrue(job.path("result").isNull() || job.path("result").isMissingNode(), job::toString);
    assertEquals(200, client.get("/health/live").status());
  }

  @Test
  @Order(2)
  void aThousandHalfRequestLinesNeitherLockOutANormalClientNorLiveLong() throws Exception {
    List<Socket> slow = new ArrayList<>();
    List<Long> openedAt = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 5000);
        socket.setSoTimeout((int) HEAD_TIMEOUT.plusSeconds(20).toMillis());
        OutputStream out = socket.getOutputStream();
        out.write("POST /v1/tasks/ec".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        slow.add(socket);
        openedAt.add(System.nanoTime());
      }
      // A normal client's calls are answered within a second each meanwhile.
      for (int i = 0; i < 5; i++) {
        GatewayClient.Reply echo =
            client.post("/v1/tasks/echo", "{\"call\":" + i + "}", Duration.ofSeconds(1));
        assertEquals(200, echo.status(), echo::toString);
      }
      // The sockets are read in the order they were opened, so each close is seen at most a
      // little late: the longest life measured bounds the true one from above.
      long longestLife = 0;
      for (int i = 0; i < slow.size(); i++) {
        awaitClosed(slow.get(i));
        longestLife = Math.max(longestLife, System.nanoTime() - openedAt.get(i));
      }
      System.out.printf(
          "HostileClientsIT: 1000 half request lines, each closed at most %d ms after it was sent"
              + " (request-head-timeout %d s)%n",
          TimeUnit.NANOSECONDS.toMillis(longestLife), HEAD_TIMEOUT.toSeconds());
      assertEquals(200, client.get("/health/live").status());
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  @Test
  @Order(3)
  void twoHundredTinyJobRequestsThatWouldEachMake100000PartsKeepTheHeapUnderTheBudget()
      throws Exception {
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong peakUsedKib = new AtomicLong();
    ExecutorService sampler = Executors.newSingleThreadExecutor();
    Future<?> sampling =
        sampler.submit(
            () -> {
              while (flooding.get()) {
                peakUsedKib.accumulateAndGet(heapUsedKib(false), Math::max);
                Thread.sleep(250);
              }
              return null;
            });
    List<GatewayClient.Reply> replies;
    try (ConcurrentCalls flood = ConcurrentCalls.post(client, "/v1/jobs", FLOOD_JOB, 200, Duration.ofSeconds(60))) {
      replies = flood.await();
    } finally {
      flooding.set(false);
      sampling.get(30, TimeUnit.SECONDS);
      sampler.shutdownNow();
    }
    assertTrue(gateway.isAlive(), "the gateway died" + gateway.tail());
    Map<Integer, Long> byStatus =
        replies.stream().collect(Collectors.groupingBy(GatewayClient.Reply::status, Collectors.counting()));
    for (GatewayClient.Reply reply : replies) {
      assertTrue(Set.of(202, 503, 413).contains(reply.status()), () -> "answered " + reply + "; all: " + byStatus);
    }
    assertTrue(byStatus.getOrDefault(202, 0L) >= 1, () -> "no job accepted: " + byStatus);
    long liveKib = heapUsedKib(true);
    System.out.printf(
        "HostileClientsIT: 200 job requests answered %s; heap peak %d MiB (with garbage), %d MiB live"
            + " after the flood; memory budget %d MiB, -Xmx256m%n",
        byStatus, peakUsedKib.get() >> 10, liveKib >> 10, budgetMib);
    assertTrue(liveKib >> 10 < budgetMib, () -> "live heap " + (liveKib >> 10) + " MiB over the budget " + budgetMib);
    assertEquals(200, client.get("/health/live").status());
    for (GatewayClient.Reply reply : replies) {
      if (reply.status() == 202) {
        client.delete("/v1/jobs/" + reply.json().path("id").asText());
      }
    }
    assertTrue(gateway.isAlive(), "the gateway died" + gateway.tail());
  }

  @Test
  @Order(4)
  void aCrossOriginFormPostIsForbidden() throws Exception {
    String answer =
        exchange(
            "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:" + httpPort + "\r\nOrigin: https://evil.example\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 34\r\n"
                + "Connection: close\r\n\r\n{\"task\":\"echo\",\"inputs\":[1,2,3]}  ");
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(answer.contains("\"forbidden_origin\""), answer);
  }

  @Test
  @Order(4)
  void aForeignHostIsForbidden() throws Exception {
    String answer =
        exchange("GET /v1/tasks HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(answer.contains("\"forbidden_origin\""), answer);
  }

  @Test
  @Order(4)
  void curlWithoutOriginKeepsWorkingWithAndWithoutAFormBody() throws Exception {
    String form =
        exchange(
            "POST /v1/tasks/echo HTTP/1.1\r\nHost: localhost:" + httpPort + "\r\nUser-Agent: curl/8\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n"
                + "Connection: close\r\n\r\n{\"a\":1}");
    assertTrue(form.startsWith("HTTP/1.1 200"), form);
    String get =
        exchange("GET /v1/tasks HTTP/1.1\r\nHost: 127.0.0.1:" + httpPort + "\r\nConnection: close\r\n\r\n");
    assertTrue(get.startsWith("HTTP/1.1 200"), get);
  }

  /** Heap in use, from {@code jcmd GC.heap_info}; after a full GC ({@code GC.run}) when asked. */
  private static long heapUsedKib(boolean afterGc) throws IOException, InterruptedException {
    if (afterGc) {
      jcmd("GC.run");
    }
    Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
    if (!used.find()) {
      return 0;
    }
    return Long.parseLong(used.group(2));
  }

  private static String jcmd(String command) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(Artifacts.jdkTool("jcmd"), Long.toString(gateway.pid()), command)
            .redirectErrorStream(true)
            .start();
    if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
      jcmd.destroyForcibly();
      fail("jcmd " + command + " did not return within 30 s");
    }
    return new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Writes a raw request and reads until the server closes (every request says Connection: close). */
  private static String exchange(String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 5000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Reads until the server closes; a reset counts as closed, a read timeout fails. */
  private static void awaitClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[1024];
    try {
      while (in.read(buffer) >= 0) {
        // whatever the server says before it closes
      }
    } catch (SocketTimeoutException e) {
      fail("a half request line kept its connection open for " + HEAD_TIMEOUT.plusSeconds(20));
    } catch (SocketException e) {
      // reset: closed
    }
  }
}
