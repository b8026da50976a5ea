package org.taskgrid.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code taskgrid run TASK [--mode M] [--timeout T] JSON}: {@code POST /v1/tasks/{TASK}}, prints the answer. */
@Command(
    name = "run",
    header = "Run one task and print its answer.",
    description =
        "Runs one task and waits for it (POST /v1/tasks/TASK); prints the gateway's answer as one"
            + " line of JSON: result, mode, node, thread, attempts, millis.")
final class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin GatewayOptions gateway;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "TASK", description = "The task's name, e.g. primes.")
  String task;

  @Parameters(index = "1", paramLabel = "JSON", description = "The task's input, e.g. '{\"from\":0,\"to\":1000000}'.")
  String input;

  @Option(names = "--mode", paramLabel = "M", description = "thread, process or async (default: the task's).")
  String mode;

  @Option(names = "--timeout", paramLabel = "T", description = "How long the task may take, e.g. 2s or 500ms (default: the gateway's).")
  String timeout;

  @Override
  public Integer call() {
    String body = Json.write(Json.parseArgument(input, "the input JSON"));
    String answer = gateway.connect().post(path(), body, null);
    spec.commandLine().getOut().println(answer.strip());
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  private String path() {
    List<String> query = new ArrayList<>();
    if (mode != null) {
      query.add("mode=" + Gateway.encode(mode));
    }
    if (timeout != null) {
      query.add("timeout=" + Gateway.encode(timeout));
    }
    return "/v1/tasks/" + Gateway.encode(task) + (query.isEmpty() ? "" : "?" + String.join("&", query));
  }
}
