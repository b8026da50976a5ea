package org.taskgrid.gateway.jobs.store;

import com.typesafe.config.ConfigFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Another gateway's JVM in miniature, on the embedded store in the data directory given. With
 * {@code write}: writes a job and three part results, says {@link #WRITTEN}, and waits (bounded)
 * to be killed.
 */
public final class OpenJobStoreMain {

  static final int REFUSED = 3;
  static final String WRITTEN = "written";
  static final String OWNER = "akka://taskgrid@127.0.0.1:25599#7";

  private OpenJobStoreMain() {}

  public static void main(String[] args) throws InterruptedException {
    StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseMap(
            Map.of("taskgrid.store.data-dir", args[0], "taskgrid.store.url", ""))
        .withFallback(ConfigFactory.defaultReference()).resolve());
    try (JobStore store = JobStore.open(settings)) {
      System.out.println("opened " + settings.embeddedFile());
      if (args.length > 1 && args[1].equals("write")) {
        store.create(StoredJob.accepted("killed", "echo", "thread", "{\"inputs\":[1,2,3,4]}", 4, Instant.now(), OWNER));
        store.record(List.of(new JobProgress("killed", OWNER, Map.of(0, "1", 1, "2", 2, "3"), 3, 0, 0)));
        System.out.println(WRITTEN);
        Thread.sleep(120_000); // the test kills this JVM long before
      }
    } catch (StoreException e) {
      System.out.println(e.getMessage());
      System.exit(REFUSED);
    }
  }
}
