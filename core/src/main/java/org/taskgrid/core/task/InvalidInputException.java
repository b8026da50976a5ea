package org.taskgrid.core.task;

import java.util.Optional;

/** A task input that is JSON but not valid for the task; names the bad field when there is one. */
public final class InvalidInputException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field, or empty when the input as a whole is wrong. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
