// The W1 and W5 reference: the least an Akka HTTP 10.2.10 server does to answer a POST. It reads
// the body and answers it inside a small JSON object, with Akka HTTP's default server settings.
// Not part of the product build: bench/run.sh compiles it against the gateway's fat jar (the
// project's own Akka and Akka HTTP) into run/bench/reference/.
// Usage: java -cp taskgrid-gateway.jar:run/bench/reference BareHttpServer PORT
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

public final class BareHttpServer extends AllDirectives {
  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Config config =
        ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare-http", config);
    Http.get(system)
        .newServerAt("127.0.0.1", port)
        .bind(new BareHttpServer().route())
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
    return post(
        () ->
            entity(
                Unmarshaller.entityToString(),
                body ->
                    complete(
                        HttpEntities.create(
                            ContentTypes.APPLICATION_JSON, "{\"result\":" + body + "}"))));
  }
}
