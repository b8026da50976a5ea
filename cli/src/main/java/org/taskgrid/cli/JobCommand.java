package org.taskgrid.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code taskgrid job TASK (--inputs FILE | --input JSON --parts N) [--mode M]}: starts a job
 * ({@code POST /v1/jobs}), follows its Server-Sent Events with a progress display on stderr, and
 * prints the result on stdout; exit 1 when the job fails or is cancelled.
 */
@Command(
    name = "job",
    header = "Run a job with a progress bar and print its result.",
    description =
        "Starts a job (POST /v1/jobs) and follows it: a progress bar on a terminal, plain progress"
            + " lines otherwise (both on stderr). Prints the job's result as JSON on stdout; exits 1"
            + " when the job fails or is cancelled, listing the parts that failed.")
final class JobCommand implements Callable<Integer> {
  private static final int ERRORS_SHOWN = 10;

  @Spec CommandSpec spec;

  @Mixin GatewayOptions gateway;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "TASK", description = "The task's name, e.g. primes.")
  String task;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--mode", paramLabel = "M", description = "thread, process or async (default: the task's).")
  String mode;

  @Option(
      names = "--progress",
      paramLabel = "STYLE",
      defaultValue = "auto",
      description = "auto (a bar when stderr is a terminal, else lines), bar, lines or none (default: ${DEFAULT-VALUE}).")
  ProgressDisplay.Style progress;

  /** What the job's parts are: a list of inputs, or one input that the task splits. */
  static final class Source {
    @Option(
        names = "--inputs",
        paramLabel = "FILE",
        required = true,
        description = "A JSON array of inputs, or one input per line (JSON Lines); - reads stdin. One part each.")
    String inputsFile;

    @ArgGroup(exclusive = false, multiplicity = "1")
    Split split;
  }

  /** One input and how many parts the task splits it into. */
  static final class Split {
    @Option(names = "--input", paramLabel = "JSON", required = true, description = "One input for a splittable task.")
    String input;

    @Option(names = "--parts", paramLabel = "N", required = true, description = "How many parts to split it into.")
    int parts;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Gateway client = gateway.connect();
    JsonNode created = client.postForJson("/v1/jobs", Json.write(body()));
    String id = created.path("id").asText();
    String status = created.path("status").asText("/v1/jobs/" + Gateway.encode(id));
    err.println("job " + id + " started; see " + client.base() + status);
    err.flush();

    ProgressDisplay display = ProgressDisplay.create(progress, Terminal.detect(System.getenv()), err, System::nanoTime);
    AtomicBoolean following = new AtomicBoolean(true);
    Thread onInterrupt = new Thread(() -> {
      if (following.get()) {
        display.abandon();
        err.println("taskgrid: stopped following job " + id + "; it goes on at the gateway: " + client.base() + status);
        err.flush();
      }
    }, "taskgrid-stop-following");
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    JsonNode view;
    try {
      view = follow(client, status, display);
    } finally {
      following.set(false);
    }
    JobProgress last = JobProgress.of(view);
    display.finish(last);
    if (last.state().equals(JobProgress.SUCCEEDED)) {
      out.println(Json.write(view.path("result")));
      out.flush();
      return ExitCodes.OK;
    }
    reportUnsuccessful(err, id, last, view);
    return ExitCodes.FAILED;
  }

  private ObjectNode body() {
    ObjectNode body = Json.MAPPER.createObjectNode().put("task", task);
    if (source.inputsFile != null) {
      body.set("inputs", JobInputs.read(source.inputsFile, System.in));
    } else {
      body.set("input", Json.parseArgument(source.split.input, "--input"));
      body.put("parts", source.split.parts);
    }
    if (mode != null) {
      body.put("mode", mode);
    }
    return body;
  }

  /** Follows the events up to {@code done}; returns the job's final view. */
  private static JsonNode follow(Gateway client, String status, ProgressDisplay display) {
    try (Stream<String> stream = client.eventLines(status + "/events")) {
      ServerSentEvents parser = new ServerSentEvents();
      for (Iterator<String> lines = client.lines(stream); lines.hasNext(); ) {
        Optional<ServerSentEvents.Event> event = parser.accept(lines.next());
        JsonNode view = event.map(ServerSentEvents.Event::data).map(Json::parseOrNull).orElse(null);
        if (view == null) {
          continue;
        }
        JobProgress progress = JobProgress.of(view);
        if (event.get().type().equals("done") || !progress.isRunning()) {
          return view;
        }
        display.update(progress);
      }
    }
    // The stream ended without a done event (the gateway restarted?): ask for the job once.
    JsonNode view = client.get(status);
    if (JobProgress.of(view).isRunning()) {
      display.abandon();
      throw new GatewayUnreachable(
          "the events of the job ended before the job did; it goes on at the gateway: " + client.base() + status,
          null);
    }
    return view;
  }

  private static void reportUnsuccessful(PrintWriter err, String id, JobProgress last, JsonNode view) {
    if (last.state().equals("cancelled")) {
      err.println("taskgrid: job " + id + " was cancelled after " + last.finished() + " of " + last.parts() + " parts");
    } else {
      err.println("taskgrid: job " + id + " " + last.state() + ": " + last.failed() + " of " + last.parts()
          + " parts failed");
    }
    JsonNode errors = view.path("errors");
    int shown = 0;
    for (JsonNode error : errors) {
      if (shown++ == ERRORS_SHOWN) {
        err.println("  ... and " + (errors.size() - ERRORS_SHOWN) + " more (GET the job for all)");
        break;
      }
      err.println("  part " + error.path("part").asText("?") + ": " + error.path("code").asText("?") + ": "
          + error.path("message").asText(""));
    }
    err.flush();
  }
}
