package org.taskgrid.cli;

/** No HTTP answer at all: nothing listens there, or the connection failed. Exit 3. */
final class GatewayUnreachable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  GatewayUnreachable(String message, Throwable cause) {
    super(message, cause);
  }
}
