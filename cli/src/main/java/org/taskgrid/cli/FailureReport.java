package org.taskgrid.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns what a command throws into one clear line on stderr and its exit code; a stack trace only
 * for a bug of the CLI itself.
 */
final class FailureReport implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parsed)
      throws Exception {
    if (exception instanceof GatewayError error) {
      return report(commandLine, error.describe(), ExitCodes.FAILED);
    }
    if (exception instanceof GatewayUnreachable unreachable) {
      return report(commandLine, unreachable.getMessage(), ExitCodes.UNREACHABLE);
    }
    if (exception instanceof UsageProblem problem) {
      return report(commandLine, problem.getMessage(), ExitCodes.USAGE);
    }
    throw exception;
  }

  private static int report(CommandLine commandLine, String message, int exitCode) {
    commandLine.getErr().println("taskgrid: " + message);
    commandLine.getErr().flush();
    return exitCode;
  }
}
