package org.taskgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * An answer of the gateway that is an error: the status and, when the body is the contract's
 * {@code {"error": {"code", "message", "field"}}}, its parts. Anything else (a proxy's page) keeps
 * the start of the body, on one line, as its message.
 */
final class GatewayError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int SHOWN_BODY = 200;

  private final int status;
  private final String code;
  private final String field;
  private final String retryAfter;

  private GatewayError(int status, String code, String message, String field, String retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }

  /** Reads an error answer; {@code body} may be anything, JSON or not. */
  static GatewayError of(int status, String body, Optional<String> retryAfter) {
    JsonNode error = Json.parseOrNull(body);
    JsonNode details = error == null ? null : error.get("error");
    if (details != null && details.isObject() && details.path("code").isTextual()) {
      return new GatewayError(
          status,
          details.path("code").asText(),
          details.path("message").asText(""),
          details.path("field").isTextual() ? details.path("field").asText() : null,
          retryAfter.orElse(null));
    }
    String shown = body.strip().replaceAll("\\s+", " ");
    if (shown.length() > SHOWN_BODY) {
      shown = shown.substring(0, SHOWN_BODY) + "...";
    }
    return new GatewayError(status, null, shown.isEmpty() ? "(no body)" : shown, null, retryAfter.orElse(null));
  }

  int status() {
    return status;
  }

  /** The contract's code, e.g. {@code invalid_input}; null when the body was not the contract's. */
  String code() {
    return code;
  }

  /**
   * One line for a person, e.g. {@code the gateway answered 400 invalid_input: field 'to' must be
   * >= 'from' (field: to)}, with a hint where the code calls for one.
   */
  String describe() {
    StringBuilder text = new StringBuilder("the gateway answered ").append(status);
    if (code != null) {
      text.append(' ').append(code);
    }
    text.append(": ").append(getMessage());
    if (field != null) {
      text.append(" (field: ").append(field).append(')');
    }
    if (retryAfter != null) {
      text.append(" (retry after ").append(retryAfter).append(" s)");
    }
    if (code == null) {
      text.append(System.lineSeparator()).append("  not a taskgrid error: is a gateway at --url (TASKGRID_URL)?");
    }
    if (status == 401) {
      text.append(System.lineSeparator()).append("  give a token with --token or TASKGRID_TOKEN");
    }
    return text.toString();
  }
}
