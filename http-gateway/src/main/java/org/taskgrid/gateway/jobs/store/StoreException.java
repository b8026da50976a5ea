package org.taskgrid.gateway.jobs.store;

/** The database failed or refused a store call: what was being done, with the JDBC cause. */
public final class StoreException extends RuntimeException {

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
