package org.taskgrid.cli;

import java.util.Map;

/**
 * Whether stderr (where progress goes) is a terminal, and how wide. Java cannot ask about stderr
 * itself ({@code System.console()} looks at stdin and stdout), so bin/taskgrid tells it with
 * {@code [ -t 2 ]} in {@code TASKGRID_STDERR_IS_TERMINAL} (1 or 0) and passes the width in
 * {@code COLUMNS}; without them the console decides, 80 columns wide.
 *
 * @param isTerminal whether a bar redrawn in place shows as one
 */
record Terminal(boolean isTerminal, int columns) {
  static final String IS_TERMINAL_VARIABLE = "TASKGRID_STDERR_IS_TERMINAL";
  private static final int DEFAULT_COLUMNS = 80;

  static Terminal detect(Map<String, String> env) {
    String told = env.get(IS_TERMINAL_VARIABLE);
    boolean isTerminal = told != null ? told.strip().equals("1") : System.console() != null;
    return new Terminal(isTerminal, columns(env.get("COLUMNS")));
  }

  private static int columns(String value) {
    try {
      int columns = value == null ? DEFAULT_COLUMNS : Integer.parseInt(value.strip());
      return columns >= 20 ? columns : DEFAULT_COLUMNS;
    } catch (NumberFormatException e) {
      return DEFAULT_COLUMNS;
    }
  }
}
