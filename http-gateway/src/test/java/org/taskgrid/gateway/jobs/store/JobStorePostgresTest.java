package org.taskgrid.gateway.jobs.store;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store's contract on a real PostgreSQL (Debian's), a fresh database per test. */
class JobStorePostgresTest extends JobStoreContractTest {

  @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

  @Override
  Map<String, Object> freshDatabase() throws Exception {
    return Map.of("url", POSTGRES.createDatabase(), "user", POSTGRES.user(), "password", POSTGRES.password());
  }
}
