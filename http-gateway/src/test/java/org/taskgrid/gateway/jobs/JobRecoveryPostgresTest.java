package org.taskgrid.gateway.jobs;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.taskgrid.gateway.jobs.store.PostgresServer;

/** Recovery on a real PostgreSQL (Debian's), a fresh database per test. */
class JobRecoveryPostgresTest extends JobRecoveryTest {
  @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

  @Override
  String freshStore() throws Exception {
    return "taskgrid.store { url = \"" + POSTGRES.createDatabase() + "\", user = \"" + POSTGRES.user()
        + "\", password = \"" + POSTGRES.password() + "\" }\n";
  }
}
