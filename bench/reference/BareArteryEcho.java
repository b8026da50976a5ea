// The W5 reference: a bare Artery ask between two JVMs, with the transport taskgrid uses (Artery
// TCP) and nothing else: a classic actor answers a String with the same String. Not part of the
// product build: bench/run.sh compiles it against the gateway's fat jar (the project's own Akka).
// Usage: java -cp ... BareArteryEcho serve PORT
//        java -cp ... BareArteryEcho ask PORT WARMUP_SECONDS COUNT   (prints p50us= p99us= meanus=)
import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.Props;
import akka.pattern.Patterns;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

public final class BareArteryEcho {
  /** Answers every String with itself. */
  static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().match(String.class, text -> getSender().tell(text, getSelf())).build();
    }
  }

  static void askOnce(ActorRef echo) throws Exception {
    Object answer =
        Patterns.ask(echo, "ping", Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (!"ping".equals(answer)) {
      throw new IllegalStateException("unexpected answer " + answer);
    }
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "serve" -> serve(Integer.parseInt(args[1]));
      case "ask" ->
          ask(Integer.parseInt(args[1]), Double.parseDouble(args[2]), Integer.parseInt(args[3]));
      default -> throw new IllegalArgumentException("serve PORT | ask PORT WARMUP_SECONDS COUNT");
    }
  }

  static ActorSystem system(int port) {
    Config config =
        ConfigFactory.parseString(
                String.join(
                    "\n",
                    "akka.actor.provider = remote",
                    "akka.loglevel = WARNING",
                    "akka.remote.artery.transport = tcp",
                    "akka.remote.artery.canonical.hostname = 127.0.0.1",
                    "akka.remote.artery.canonical.port = " + port))
            .withFallback(ConfigFactory.load());
    return ActorSystem.create("bare", config);
  }

  static void serve(int port) {
    ActorSystem system = system(port);
    system.actorOf(Props.create(Echo.class, Echo::new), "echo");
    System.out.println("bare Artery echo on 127.0.0.1:" + port);
  }

  static void ask(int port, double warmupSeconds, int count) throws Exception {
    ActorSystem system = system(0);
    try {
      ActorRef echo =
          system
              .actorSelection("akka://bare@127.0.0.1:" + port + "/user/echo")
              .resolveOne(Duration.ofSeconds(10))
              .toCompletableFuture()
              .get(15, TimeUnit.SECONDS);
      // Warm-up by time, as the HTTP round trips of W5 are.
      long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
      while (System.nanoTime() < until) {
        askOnce(echo);
      }
      long[] nanos = new long[count];
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        askOnce(echo);
        nanos[i] = System.nanoTime() - start;
      }
      Arrays.sort(nanos);
      System.out.printf(
          "asks=%d p50us=%.0f p99us=%.0f meanus=%.0f%n",
          count,
          nanos[count / 2] / 1e3,
          nanos[(int) (count * 0.99)] / 1e3,
          Arrays.stream(nanos).average().orElse(0) / 1e3);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
