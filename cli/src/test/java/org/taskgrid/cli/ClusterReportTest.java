package org.taskgrid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ClusterReportTest {
  @Test
  void membersAndExecutorsAreAlignedTablesWithNumbersOnTheRight() {
    String cluster =
        """
        {"self":"akka://taskgrid@127.0.0.1:25520",
         "members":[
           {"address":"akka://taskgrid@127.0.0.1:25520","roles":["gateway","worker"],"status":"up"},
           {"address":"akka://taskgrid@127.0.0.1:40001","roles":["worker"],"status":"unreachable"}],
         "executors":[
           {"node":"akka://taskgrid@127.0.0.1:25520","state":"active","capacity":2,"inFlight":0,"completed":1234},
           {"node":"akka://taskgrid@127.0.0.1:40001","state":"draining","capacity":16,"inFlight":3,"completed":7}]}
        """;
    String expected =
        """
        gateway: akka://taskgrid@127.0.0.1:25520

        ADDRESS                          ROLES           STATUS
        akka://taskgrid@127.0.0.1:25520  gateway,worker  up
        akka://taskgrid@127.0.0.1:40001  worker          unreachable

        NODE                             STATE     CAPACITY  IN FLIGHT  COMPLETED
        akka://taskgrid@127.0.0.1:25520  active           2          0       1234
        akka://taskgrid@127.0.0.1:40001  draining        16          3          7
        """;
    assertEquals(expected, ClusterReport.render(Json.parseOrNull(cluster)).replace(System.lineSeparator(), "\n"));
  }

  @Test
  void fieldsTheCliDoesNotKnowGetColumnsOfTheirOwn() {
    String cluster =
        """
        {"members":[],
         "executors":[{"node":"n1","lanes":{"cpu":{"running":1}},"state":"active","tags":[]}]}
        """;
    String expected =
        """
        (no members)

        NODE  STATE   LANES                  TAGS
        n1    active  {"cpu":{"running":1}}  -
        """;
    assertEquals(expected, ClusterReport.render(Json.parseOrNull(cluster)).replace(System.lineSeparator(), "\n"));
  }
}
