package org.taskgrid.cli;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Shows a job's progress as its events arrive: a bar redrawn in place on a terminal
 * ({@link ProgressBar}), plain lines for a log or a pipe ({@link ProgressLines}), or nothing.
 */
interface ProgressDisplay {
  /** A newer view of the job. */
  void update(JobProgress progress);

  /** The job's final view: the display ends its line. */
  void finish(JobProgress progress);

  /** The CLI stops following before the end (Ctrl-C): leave the output on a fresh line. */
  void abandon();

  /** How {@code --progress} chooses. */
  enum Style {
    /** A bar when stderr is a terminal, else lines. */
    AUTO,
    BAR,
    LINES,
    NONE
  }

  static ProgressDisplay create(Style style, Terminal terminal, PrintWriter err, LongSupplier nanoClock) {
    Style chosen = style == Style.AUTO ? (terminal.isTerminal() ? Style.BAR : Style.LINES) : style;
    return switch (chosen) {
      case BAR -> new ProgressBar(err, terminal.columns(), new ProgressRate(nanoClock));
      case LINES -> new ProgressLines(err, new ProgressRate(nanoClock), nanoClock);
      default -> new ProgressDisplay() {
        @Override
        public void update(JobProgress progress) {}

        @Override
        public void finish(JobProgress progress) {}

        @Override
        public void abandon() {}
      };
    };
  }
}
