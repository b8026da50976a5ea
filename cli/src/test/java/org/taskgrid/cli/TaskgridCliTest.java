package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The command line itself: usage errors exit 2, an unreachable gateway exits 3 and says where. */
class TaskgridCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void noCommandIsAUsageError() {
    assertEquals(ExitCodes.USAGE, run());
    assertTrue(err.toString().contains("Missing a command: run, job or status"), err::toString);
  }

  @Test
  void aJobTakesEitherInputsOrInputAndPartsNotBoth() {
    assertEquals(ExitCodes.USAGE, run("job", "primes", "--inputs", "x.json", "--input", "{}", "--parts", "2"));
    assertTrue(err.toString().contains("mutually exclusive"), err::toString);
    assertEquals(ExitCodes.USAGE, run("job", "primes", "--input", "{}"));
    assertTrue(err.toString().contains("--parts"), err::toString);
  }

  @Test
  void anInputThatIsNotJsonIsRefusedBeforeAnyCall() {
    assertEquals(ExitCodes.USAGE, run("run", "primes", "--url", "http://127.0.0.1:1", "{\"from\":"));
    assertTrue(err.toString().startsWith("taskgrid: the input JSON is not JSON"), err::toString);
  }

  @Test
  void aBadUrlIsAUsageError() {
    assertEquals(ExitCodes.USAGE, run("status", "--url", "localhost:8080"));
    assertTrue(err.toString().contains("--url must look like http://host:port"), err::toString);
  }

  @Test
  void connectionRefusedSaysWhereItTried() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort;
    assertEquals(ExitCodes.UNREACHABLE, run("status", "--url", url));
    assertTrue(
        err.toString().startsWith("taskgrid: cannot connect to the gateway at " + url + ": connection refused"),
        err::toString);
    assertEquals("", out.toString());
  }

  private int run(String... args) {
    return TaskgridCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }
}
