// The W1, W2 and W5 reference: the least an Akka HTTP 10.2.10 server does to answer a POST, with
// Akka HTTP's default server settings. It reads the body and answers it inside a small JSON
// object; under /v1/tasks/sleep it answers only after the body's "millis" (W2), from the actor
// system's scheduler, holding no thread meanwhile.
// Not part of the product build: bench/run.sh compiles it against the gateway's fat jar (the
// project's own Akka and Akka HTTP) into run/bench/reference/.
// Usage: java -cp taskgrid-gateway.jar:run/bench/reference BareHttpServer PORT
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class BareHttpServer extends AllDirectives {
  private static final Pattern MILLIS = Pattern.compile("\"millis\"\\s*:\\s*(\\d+)");
  private final ActorSystem<Void> system;

  private BareHttpServer(ActorSystem<Void> system) {
    this.system = system;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Config config =
        ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare-http", config);
    Http.get(system)
        .newServerAt("127.0.0.1", port)
        .bind(new BareHttpServer(system).route())
        .whenComplete(
            (binding, error) -> {
              if (error != null) {
                error.printStackTrace();
                system.terminate();
              } else {
                System.out.println("bare Akka HTTP listening on " + binding.localAddress());
              }
            });
  }

  private Route route() {
    return concat(
        path(
            PathMatchers.segment("v1").slash("tasks").slash("sleep"),
            () -> post(() -> entity(Unmarshaller.entityToString(), this::sleepThenAnswer))),
        post(() -> entity(Unmarshaller.entityToString(), body -> complete(answer(body)))));
  }

  private static HttpResponse answer(String body) {
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"result\":" + body + "}"));
  }

  /** Answers after the body's "millis", completed by the scheduler: no thread waits. */
  private Route sleepThenAnswer(String body) {
    Matcher millis = MILLIS.matcher(body);
    if (!millis.find()) {
      return complete(answer(body));
    }
    CompletableFuture<HttpResponse> later = new CompletableFuture<>();
    system
        .scheduler()
        .scheduleOnce(
            Duration.ofMillis(Long.parseLong(millis.group(1))),
            () -> later.complete(answer(body)),
            system.executionContext());
    return completeWithFuture(later);
  }
}
