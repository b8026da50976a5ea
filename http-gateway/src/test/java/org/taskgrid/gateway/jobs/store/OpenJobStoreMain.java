package org.taskgrid.gateway.jobs.store;

import com.typesafe.config.ConfigFactory;
import java.util.Map;

/** A second gateway's JVM in miniature: opens the embedded store in the data directory given. */
public final class OpenJobStoreMain {

  static final int REFUSED = 3;

  private OpenJobStoreMain() {}

  public static void main(String[] args) {
    StoreSettings settings = StoreSettings.fromConfig(ConfigFactory.parseMap(
            Map.of("taskgrid.store.data-dir", args[0], "taskgrid.store.url", ""))
        .withFallback(ConfigFactory.defaultReference()).resolve());
    try (JobStore store = JobStore.open(settings)) {
      System.out.println("opened " + store);
    } catch (StoreException e) {
      System.out.println(e.getMessage());
      System.exit(REFUSED);
    }
  }
}
