package org.taskgrid.cli;

/** What the exit code of a command says, for scripts that call it. */
final class ExitCodes {
  /** The call or job succeeded. */
  static final int OK = 0;
  /** The gateway answered with an error, or the job failed or was cancelled. */
  static final int FAILED = 1;
  /** The command line or a local input (a JSON argument, an inputs file) is wrong: picocli's too. */
  static final int USAGE = 2;
  /** No answer from a gateway: none runs there (or something else does), or the network failed. */
  static final int UNREACHABLE = 3;

  private ExitCodes() {}
}
