package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write your own task" example, taken from README.md as it stands, compiled against
 * the gateway jar and run in a gateway JVM: documentation that cannot rot unnoticed.
 */
class ReadmeCustomTaskIT {
  private static final String MARKER = "custom-task-example";
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern CLASS =
      Pattern.compile("(?m)^public\\s+(?:final\\s+|abstract\\s+)*class\\s+(\\w+)");

  @TempDir static Path work;

  private static GatewayClient client;
  private static NodeProcess gateway;

  @BeforeAll
  static void compileTheExampleAndStartAGatewayWithIt() throws IOException, InterruptedException {
    String source = readmeExample(Artifacts.repoDir().resolve("README.md"));
    String className = qualifiedClassName(source);
    Path classes = compile(source, className);
    Path services = classes.resolve("META-INF/services/org.taskgrid.core.task.Task");
    Files.createDirectories(services.getParent());
    Files.writeString(services, className + "\n", StandardCharsets.UTF_8);

    int httpPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gateway =
        NodeProcess.start(
            "ReadmeCustomTaskIT-gateway",
            NodeProcess.javaMain(
                Artifacts.gatewayJar() + File.pathSeparator + classes,
                "org.taskgrid.gateway.GatewayMain"),
            Map.of(
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next())));
    gateway.awaitReady(client, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopGateway() throws InterruptedException {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void theTaskReversesItsText() throws Exception {
    for (String mode : List.of("", "?mode=thread", "?mode=process")) {
      GatewayClient.Reply reply = client.post("/v1/tasks/reverse" + mode, "{\"text\":\"stressed\"}");
      assertEquals(200, reply.status(), mode + ": " + reply);
      assertEquals("desserts", reply.json().path("result").asText(), mode + ": " + reply);
    }
    assertEquals(
        "async",
        client.post("/v1/tasks/reverse", "{\"text\":\"stressed\"}").json().path("mode").asText());
  }

  @Test
  void theTaskIsListed() throws Exception {
    GatewayClient.Reply reply = client.get("/v1/tasks");
    assertEquals(200, reply.status(), reply::toString);
    JsonNode reverse = null;
    for (JsonNode task : reply.json()) {
      if (task.path("name").asText().equals("reverse")) {
        reverse = task;
      }
    }
    assertNotNull(reverse, "reverse is not listed: " + reply);
    assertEquals("Reverses 'text'.", reverse.path("description").asText(), reply::toString);
    assertEquals("async", reverse.path("defaultMode").asText(), reply::toString);
    // the built-in tasks are still there beside it
    assertTrue(reply.body().contains("\"primes\""), reply::toString);
  }

  @Test
  void aTextThatIsNotAStringIsInvalidInput() throws Exception {
    GatewayClient.Reply reply = client.post("/v1/tasks/reverse", "{\"text\": 5}");
    assertEquals(400, reply.status(), reply::toString);
    JsonNode error = reply.json().path("error");
    assertEquals("invalid_input", error.path("code").asText(), reply::toString);
    assertEquals("text", error.path("field").asText(), reply::toString);
  }

  /** The ```java block that follows the line holding the marker. */
  private static String readmeExample(Path readme) throws IOException {
    List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    int marker = -1;
    for (int i = 0; i < lines.size() && marker < 0; i++) {
      if (lines.get(i).contains(MARKER)) {
        marker = i;
      }
    }
    if (marker < 0) {
      fail("README.md has no line with '" + MARKER + "'");
    }
    int start = -1;
    for (int i = marker + 1; i < lines.size() && start < 0; i++) {
      if (lines.get(i).strip().equals("```java")) {
        start = i + 1;
      } else if (!lines.get(i).isBlank()) {
        fail("README.md: the line after '" + MARKER + "' should open a ```java block: " + lines.get(i));
      }
    }
    List<String> code = new ArrayList<>();
    for (int i = Math.max(start, 0); i < lines.size(); i++) {
      if (lines.get(i).strip().equals("```")) {
        return String.join("\n", code) + "\n";
      }
      code.add(lines.get(i));
    }
    return fail("README.md: the ```java block after '" + MARKER + "' is not closed");
  }

  private static String qualifiedClassName(String source) {
    Matcher packageName = PACKAGE.matcher(source);
    Matcher className = CLASS.matcher(source);
    if (!className.find()) {
      fail("no public class in the README's example:\n" + source);
    }
    return packageName.find() ? packageName.group(1) + "." + className.group(1) : className.group(1);
  }

  /** Compiles the source against the gateway jar alone, as the README does; returns the classes. */
  private static Path compile(String source, String className) throws IOException {
    Path sources = Files.createDirectories(work.resolve("src"));
    Path classes = Files.createDirectories(work.resolve("classes"));
    Path file = sources.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
    Files.writeString(file, source, StandardCharsets.UTF_8);

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    assertNotNull(compiler, "no Java compiler: run the tests on a JDK");
    StringWriter diagnostics = new StringWriter();
    Boolean ok =
        compiler
            .getTask(
                diagnostics,
                null,
                null,
                List.of(
                    "--release", "17",
                    "-proc:none",
                    "-cp", Artifacts.gatewayJar().toString(),
                    "-d", classes.toString()),
                null,
                compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(file))
            .call();
    assertTrue(ok, "the README's example does not compile:\n" + diagnostics + "\n" + source);
    return classes;
  }
}
