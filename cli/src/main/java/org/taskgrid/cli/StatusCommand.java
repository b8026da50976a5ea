package org.taskgrid.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code taskgrid status}: the members and executors of {@code GET /v1/cluster} as tables. */
@Command(
    name = "status",
    header = "Print the cluster's members and executors.",
    description =
        "Prints the members (address, roles, status) and the executors (capacity, parts in flight,"
            + " parts completed) of GET /v1/cluster as tables.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GatewayOptions gateway;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Override
  public Integer call() {
    String report = ClusterReport.render(gateway.connect().get("/v1/cluster"));
    spec.commandLine().getOut().print(report);
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
