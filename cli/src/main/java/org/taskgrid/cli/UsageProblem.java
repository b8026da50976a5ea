package org.taskgrid.cli;

/** A command line or local input the CLI cannot use (bad JSON, unreadable file): exit 2. */
final class UsageProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageProblem(String message) {
    super(message);
  }
}
