package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.Await;
import org.taskgrid.gateway.TestGateway;

/**
 * Event streams are bounded: a job past max-followers-per-job (here 1) refuses another with 503,
 * a stream frees its place when it ends, and an unknown job is a 404 rather than a stream that
 * never ends.
 */
class JobFollowersTest {
  private static final Duration WITHIN = Duration.ofSeconds(15);

  @RegisterExtension
  static final TestGateway gateway =
      TestGateway.withConfig(
          """
          taskgrid.jobs.max-followers-per-job = 1
          # The server learns that a client went away when a write fails: heartbeats write often.
          taskgrid.jobs.events-keep-alive = 500ms
          """);

  @Test
  void aSecondFollowerOfAJobIsRefusedUntilTheFirstLeaves() throws Exception {
    String id =
        JobCalls.start(
            gateway, "{\"task\":\"sleep\",\"mode\":\"async\",\"inputs\":[{\"millis\":20000}]}");
    try {
      try (EventStream first = EventStream.open(gateway, "/v1/jobs/" + id + "/events", WITHIN)) {
        assertEquals(200, first.status());
        first.next(WITHIN);
        JobCalls.assertError(gateway.get("/v1/jobs/" + id + "/events"), 503, "overloaded", null);
      }
      awaitFollowable(id);
    } finally {
      gateway.delete("/v1/jobs/" + id);
    }
  }

  @Test
  void followingAnUnknownJobIsA404() throws Exception {
    JobCalls.assertError(gateway.get("/v1/jobs/nope/events"), 404, "unknown_job", null);
  }

  /** Once the first stream is gone (the manager learns it asynchronously), another is served. */
  private static void awaitFollowable(String id) throws Exception {
    Await.atMost(WITHIN, "a second event stream of job " + id)
        .every(Duration.ofMillis(100))
        .until(
            () -> {
              try (EventStream again = EventStream.open(gateway, "/v1/jobs/" + id + "/events", WITHIN)) {
                return again.status() == 200;
              } catch (IOException | InterruptedException e) {
                throw e;
              } catch (Exception e) {
                throw new IOException(e);
              }
            });
  }
}
