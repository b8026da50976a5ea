package org.taskgrid.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code taskgrid run|job|status}: the command line of bin/taskgrid, a thin client of the HTTP API.
 * Answers go to stdout, progress and errors to stderr, so that {@code > result.json} keeps only the
 * answer. Exit codes: see {@link ExitCodes}.
 */
@Command(
    name = "taskgrid",
    subcommands = {RunCommand.class, JobCommand.class, StatusCommand.class},
    description = "Calls a taskgrid gateway: run a task, run a job with a progress bar, see the cluster.",
    footer = {
      "",
      "Environment: TASKGRID_URL (default http://127.0.0.1:8080), TASKGRID_TOKEN.",
      "Exit codes: 0 done; 1 the gateway answered an error, or the job failed or was",
      "cancelled; 2 bad usage or input; 3 the gateway could not be reached.",
      "Answers go to stdout; progress and errors to stderr."
    })
public final class TaskgridCli implements Runnable {
  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: run, job or status");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs one command line with stdout and stderr in UTF-8 whatever the locale: JSON is UTF-8. */
  static int execute(String... args) {
    return execute(
        new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
        new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true),
        args);
  }

  /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new TaskgridCli());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(new FailureReport());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine.execute(args);
  }
}
