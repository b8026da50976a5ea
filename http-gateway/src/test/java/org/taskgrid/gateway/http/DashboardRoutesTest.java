package org.taskgrid.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.taskgrid.gateway.http.JobCalls.assertError;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.taskgrid.gateway.HttpResult;
import org.taskgrid.gateway.TestGateway;

/**
 * {@code GET /} serves the dashboard from the jar, open even with API tokens on, and nothing in it
 * reaches for another origin. (What the page does is tested in a browser: DashboardBrowserIT.)
 */
class DashboardRoutesTest {
  @RegisterExtension
  static final TestGateway gateway = TestGateway.withConfig("taskgrid.gateway.api-tokens = \"secret\"");

  /** src or href in the page: each must stay on this gateway. */
  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]*)\"");

  @Test
  void thePageIsOpenWhileTheApiNeedsAToken() throws Exception {
    HttpResult page = gateway.get("/");
    assertEquals(200, page.status(), page::toString);
    assertEquals("text/html; charset=UTF-8", page.header("Content-Type").orElse(null), page::toString);
    assertTrue(page.text().contains("<title>taskgrid</title>"), page::toString);
    assertError(gateway.get("/v1/cluster"), 401, "unauthorized", null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/dashboard/dashboard.js", "/dashboard/dashboard.css"})
  void everyFileForbidsOtherOrigins(String path) throws Exception {
    HttpResult file = gateway.get(path);
    assertEquals(200, file.status(), file::toString);
    String policy = file.header("Content-Security-Policy").orElse("");
    assertTrue(policy.startsWith("default-src 'none';"), policy);
    assertTrue(policy.contains("script-src 'self';") && policy.contains("connect-src 'self';"), policy);
    assertEquals("nosniff", file.header("X-Content-Type-Options").orElse(null), file::toString);
  }

  @Test
  void scriptAndStyleHaveTheirTypes() throws Exception {
    assertEquals(
        "application/javascript; charset=UTF-8",
        gateway.get("/dashboard/dashboard.js").header("Content-Type").orElse(null));
    assertEquals(
        "text/css; charset=UTF-8", gateway.get("/dashboard/dashboard.css").header("Content-Type").orElse(null));
  }

  @Test
  void thePageLoadsNothingFromElsewhere() throws Exception {
    Matcher references = REFERENCE.matcher(gateway.get("/").text());
    int count = 0;
    while (references.find()) {
      String reference = references.group(1);
      assertTrue(
          reference.startsWith("/dashboard/") || reference.startsWith("data:"),
          "the page refers to " + reference);
      count++;
    }
    assertTrue(count >= 2, "the page loads its script and style");
    for (String asset : List.of("/dashboard/dashboard.js", "/dashboard/dashboard.css")) {
      String text = gateway.get(asset).text();
      // The SVG namespace is a name, not something fetched.
      String withoutNamespace = text.replace("http://www.w3.org/2000/svg", "");
      assertTrue(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"), asset);
      assertTrue(!withoutNamespace.contains("@import") && !withoutNamespace.contains("url("), asset);
    }
  }

  @Test
  void onlyThePageAndItsTwoFilesAreServed() throws Exception {
    assertError(gateway.get("/dashboard/index.html"), 404, "not_found", null);
    assertError(gateway.get("/dashboard/../reference.conf"), 404, "not_found", null);
    assertError(gateway.get("/reference.conf"), 404, "not_found", null);
    assertError(gateway.get("/dashboard/"), 404, "not_found", null);
  }

  @Test
  void thePageAnswersGetOnly() throws Exception {
    assertError(gateway.post("/", "{}"), 405, "method_not_allowed", null);
  }
}
