package org.taskgrid.gateway.jobs;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.jobs.store.PostgresServer;

/** The journal on a real PostgreSQL (Debian's), a fresh database per test. */
class JobJournalPostgresTest extends JobJournalTest {
  @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

  @Override
  Map<String, Object> freshStore() throws Exception {
    return Map.of("url", POSTGRES.createDatabase(), "user", POSTGRES.user(), "password", POSTGRES.password());
  }
}
