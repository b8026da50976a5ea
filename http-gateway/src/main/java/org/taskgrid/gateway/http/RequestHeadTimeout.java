package org.taskgrid.gateway.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.time.Duration;

/**
 * Closes a connection that has no request in progress and has not sent a complete request head
 * within {@code timeout}: just opened, or idle since its last response was sent. Akka HTTP 10.2
 * has no such setting: its {@code idle-timeout} counts time without bytes in either direction, so
 * it cannot both close a connection that sends a few bytes of a request line and keep one whose
 * synchronous call waits minutes for its answer. This stage sits between the connection and the
 * routes, where Akka hands over each request once its head is parsed: it starts a timer when the
 * connection opens and whenever the last response in progress has been sent in full (its entity
 * stream ended, so an event stream keeps its connection), and stops it when a request arrives.
 * When the timer fires the stage completes, and Akka closes the connection.
 *
 * <p>One stage per connection: the flow given to {@code bindFlow} is materialized per connection.
 */
final class RequestHeadTimeout
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String TIMER = "request-head";

  private final Duration timeout;
  private final Inlet<HttpRequest> requestIn = Inlet.create("RequestHeadTimeout.requestIn");
  private final Outlet<HttpRequest> requestOut = Outlet.create("RequestHeadTimeout.requestOut");
  private final Inlet<HttpResponse> responseIn = Inlet.create("RequestHeadTimeout.responseIn");
  private final Outlet<HttpResponse> responseOut = Outlet.create("RequestHeadTimeout.responseOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(requestIn, requestOut, responseIn, responseOut);

  private RequestHeadTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /** Joined to the routes' flow: requests in on the left, responses out on the left. */
  static BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> bidi(
      Duration timeout) {
    return BidiFlow.fromGraph(new RequestHeadTimeout(timeout));
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests handed to the routes whose responses have not been sent in full yet. */
      private int inProgress;

      private final AsyncCallback<NotUsed> responseSent = createAsyncCallback(done -> ended());

      {
        setHandler(
            requestIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                inProgress++;
                cancelTimer(TIMER);
                push(requestOut, grab(requestIn));
              }

              @Override
              public void onUpstreamFinish() {
                complete(requestOut);
              }
            });
        setHandler(
            requestOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(requestIn);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(requestIn, cause);
              }
            });
        setHandler(
            responseIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                push(responseOut, watched(grab(responseIn)));
              }

              @Override
              public void onUpstreamFinish() {
                complete(responseOut);
              }
            });
        setHandler(
            responseOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(responseIn);
              }
            });
      }

      @Override
      public void preStart() {
        scheduleOnce(TIMER, timeout);
      }

      @Override
      public void onTimer(Object key) {
        if (inProgress == 0) {
          completeStage();
        }
      }

      /** The response, with a way to learn when its entity has been sent. */
      private HttpResponse watched(HttpResponse response) {
        HttpEntity entity = response.entity();
        if (entity.isStrict()) {
          ended();
          return response;
        }
        Flow<ByteString, ByteString, Object> watch =
            Flow.<ByteString>create()
                .watchTermination(
                    (notUsed, done) -> {
                      done.whenCompleteAsync(
                          (ok, error) -> responseSent.invoke(NotUsed.getInstance()),
                          materializer().executionContext());
                      return (Object) NotUsed.getInstance();
                    });
        // The Java API has no transformDataBytes; every entity is a Scala one underneath.
        akka.http.scaladsl.model.ResponseEntity scala =
            (akka.http.scaladsl.model.ResponseEntity) response.entity();
        return response.withEntity(scala.transformDataBytes(watch.asScala()));
      }

      private void ended() {
        inProgress--;
        if (inProgress == 0) {
          scheduleOnce(TIMER, timeout);
        }
      }
    };
  }
}
