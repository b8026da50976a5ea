package org.taskgrid.gateway.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import org.taskgrid.core.execution.PartProtocol;

/** An answer of the error contract, thrown from a route and rendered by {@link ErrorResponses}. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final transient StatusCode status;
  final String code;
  final String field;

  ApiError(StatusCode status, String code, String message, String field) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** The error of the contract for a part that failed. */
  static ApiError of(PartProtocol.PartFailed failed) {
    return switch (failed.failure()) {
      case UNKNOWN_TASK -> new ApiError(StatusCodes.NOT_FOUND, "unknown_task", failed.message(), null);
      case UNSUPPORTED_MODE -> unsupportedMode(failed.message());
      case INVALID_INPUT -> invalidInput(failed.message(), failed.field());
      case TASK_FAILED, CANCELLED -> taskFailed(failed.message());
      case TIMEOUT -> timeout(failed.message());
      case OVERLOADED -> overloaded(failed.message());
      case NO_WORKERS -> noWorkers(failed.message());
      case WORKER_LOST -> workerLost(failed.message());
      // Only when no other executor took the part: as if none were up.
      case DRAINING -> noWorkers(failed.message());
      case INTERNAL ->
          new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal", failed.message(), null);
    };
  }

  static ApiError invalidInput(String message, String field) {
    return new ApiError(StatusCodes.BAD_REQUEST, "invalid_input", message, field);
  }

  static ApiError malformedJson(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "malformed_json", message, null);
  }

  static ApiError unsupportedMode(String message) {
    return new ApiError(StatusCodes.BAD_REQUEST, "unsupported_mode", message, "mode");
  }

  static ApiError unknownTask(String name) {
    return new ApiError(StatusCodes.NOT_FOUND, "unknown_task", "no task is named '" + name + "'", null);
  }

  static ApiError tooLarge(String message) {
    return tooLarge(message, null);
  }

  static ApiError tooLarge(String message, String field) {
    return new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "too_large", message, field);
  }

  static ApiError unsupportedMediaType(String message) {
    return new ApiError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", message, null);
  }

  static ApiError timeout(String message) {
    return new ApiError(StatusCodes.GATEWAY_TIMEOUT, "timeout", message, null);
  }

  static ApiError noWorkers(String message) {
    return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "no_workers", message, null);
  }

  static ApiError workerLost(String message) {
    return new ApiError(StatusCodes.BAD_GATEWAY, "worker_lost", message, null);
  }

  static ApiError overloaded(String message) {
    return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "overloaded", message, null);
  }

  static ApiError taskFailed(String message) {
    return new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, "task_failed", message, null);
  }
}
