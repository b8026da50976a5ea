package org.taskgrid.gateway.http;

import static akka.http.javadsl.server.Directives.complete;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Allow;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedQueryParamRejection;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.MissingQueryParamRejection;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.RequestEntityExpectedRejection;
import akka.http.javadsl.server.UnacceptedResponseContentTypeRejection;
import akka.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import akka.http.scaladsl.model.EntityStreamException;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.pattern.AskTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns every failure (an {@link ApiError}, a rejection, an exception, a
 * timeout, a request too broken to parse) into the JSON error of the contract:
 * {@code {"error": {"code": ..., "message": ..., "field": ...}}}.
 */
public final class ErrorResponses {
  private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

  /** What {@code Retry-After} says to a caller refused for load, in seconds. */
  private static final long RETRY_AFTER_SECONDS = 1;

  private ErrorResponses() {}

  public static HttpResponse response(StatusCode status, String code, String message, String field) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    error.put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    List<HttpHeader> headers = new ArrayList<>();
    if (code.equals("overloaded")) {
      headers.add(RetryAfter.create(RETRY_AFTER_SECONDS));
    }
    return Json.response(status, Map.of("error", error)).addHeaders(headers);
  }

  static HttpResponse response(ApiError error) {
    return response(error.status, error.code, error.getMessage(), error.field);
  }

  /** Akka HTTP's request timeout, which would otherwise answer a text 503. */
  static HttpResponse requestTimeout(HttpRequest request) {
    return response(
        StatusCodes.GATEWAY_TIMEOUT, "timeout", "the request did not complete in time", null);
  }

  static ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(CompletionException.class, e -> complete(forException(e.getCause())))
        .matchAny(e -> complete(forException(e)))
        .build();
  }

  private static HttpResponse forException(Throwable e) {
    if (e instanceof ApiError apiError) {
      return response(apiError);
    }
    if (e instanceof EntityStreamSizeException) {
      return response(ApiError.tooLarge("the body is larger than the limit"));
    }
    if (e instanceof EntityStreamException broken) {
      // A body that breaks off or is badly framed (a bad chunk size): only the summary, as the
      // detail may echo bytes of the request.
      return response(ApiError.malformedJson("the body could not be read: " + broken.info().summary()));
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      return response(ApiError.timeout("the work did not answer in time"));
    }
    String requestId = UUID.randomUUID().toString();
    log.error("Request {} failed", requestId, e);
    return response(
        StatusCodes.INTERNAL_SERVER_ERROR,
        "internal",
        "internal error; look for request id " + requestId + " in the gateway's log",
        null);
  }

  static RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, ErrorResponses::methodNotAllowed)
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            r ->
                complete(
                    response(ApiError.unsupportedMediaType("the body must be application/json"))))
        .handle(
            MalformedRequestContentRejection.class,
            r ->
                complete(
                    r.getCause() instanceof EntityStreamSizeException
                        ? response(ApiError.tooLarge("the body is larger than the limit"))
                        : response(ApiError.malformedJson(r.message()))))
        .handle(
            RequestEntityExpectedRejection.class,
            r -> complete(response(ApiError.malformedJson("a JSON body is required"))))
        .handle(
            MissingQueryParamRejection.class,
            r ->
                complete(
                    response(
                        ApiError.invalidInput(
                            "query parameter '" + r.parameterName() + "' is required",
                            r.parameterName()))))
        .handle(
            MalformedQueryParamRejection.class,
            r -> complete(response(ApiError.invalidInput(r.errorMsg(), r.parameterName()))))
        .handle(
            UnacceptedResponseContentTypeRejection.class,
            r ->
                complete(
                    response(
                        StatusCodes.NOT_ACCEPTABLE,
                        "not_acceptable",
                        "this resource cannot answer in a media type the Accept header allows",
                        null)))
        // Any other: a generic answer. A rejection's own text can echo parts of the request.
        .handle(
            Rejection.class,
            r ->
                complete(
                    response(
                        StatusCodes.BAD_REQUEST, "bad_request", "the request was refused", null)))
        .handleNotFound(
            complete(response(StatusCodes.NOT_FOUND, "not_found", "no such resource", null)))
        .build();
  }

  private static akka.http.javadsl.server.Route methodNotAllowed(List<MethodRejection> rejections) {
    List<HttpMethod> allowed = rejections.stream().map(MethodRejection::supported).toList();
    String names = String.join(", ", allowed.stream().map(HttpMethod::name).toList());
    return complete(
        response(
                StatusCodes.METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this resource answers " + names,
                null)
            .addHeader(Allow.create(allowed.toArray(HttpMethod[]::new))));
  }
}
