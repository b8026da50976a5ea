package org.taskgrid.gateway.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.HttpResponse;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too broken to reach a route (a bad request line, a URI or headers over the
 * limits) with the JSON error of the contract. Named by {@code akka.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    log.debug("Unparseable request ({}): {}", status, error.formatPretty());
    String code =
        switch (status.intValue()) {
          case 413, 414, 431 -> "too_large";
          case 415 -> "unsupported_media_type";
          case 405 -> "method_not_allowed";
          case 404 -> "not_found";
          default -> "bad_request";
        };
    // Only the summary: the detail may echo attacker-controlled bytes of the request.
    return (HttpResponse) ErrorResponses.response(status, code, error.summary(), null);
  }
}
