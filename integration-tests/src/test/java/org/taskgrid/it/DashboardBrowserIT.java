package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard in a real browser (headless Chromium) against a real gateway JVM with one worker
 * JVM: it lists both nodes, and a job started from its form shows its progress bar reaching 100 %
 * and the state {@code succeeded}. Leaves a screenshot in integration-tests/target/ for a person.
 */
class DashboardBrowserIT {
  private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
  private static final Duration JOB_WAIT = Duration.ofSeconds(120);
  /** 148933 primes below 2,000,000: the job's merged result. */
  private static final String PRIMES_INPUT = "{\"from\": 0, \"to\": 2000000}";
  private static final String PRIMES_RESULT = "148933";
  private static final int PARTS = 200;

  private static ProcessCluster cluster;
  private static ProcessCluster.Worker worker;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws InterruptedException {
    // The browser first: without it the test fails at once, before JVMs are started for nothing.
    chromium = Chromium.start("DashboardBrowserIT");
    cluster = ProcessCluster.start("DashboardBrowserIT", List.of());
    worker = cluster.ensureWorkers(1).get(0);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void thePageListsTheGatewayAndTheWorkerWithTheirRolesAndStatus() throws InterruptedException {
    ChromeDriver browser = open();
    Map<String, String> expected =
        Map.of(cluster.gatewayAddress(), "gateway", worker.address(), "worker");
    Map<String, String> shown =
        await(PAGE_WAIT,
            "both nodes Up in the members table",
            driver -> {
              Map<String, String> rows = members(driver);
              return rows.keySet().containsAll(expected.keySet())
                      && expected.keySet().stream().allMatch(address -> rows.get(address).endsWith(" up"))
                  ? rows
                  : null;
            });
    expected.forEach(
        (address, role) ->
            assertEquals(role + " up", shown.get(address), "the row of " + address + " in " + shown));
    // The worker's executor, with a bar of its load.
    WebElement executor =
        await(PAGE_WAIT,
            "the worker's executor",
            driver ->
                driver.findElements(By.cssSelector("#executors .executor")).stream()
                    .filter(element -> worker.address().equals(element.getAttribute("data-node")))
                    .findFirst()
                    .orElse(null));
    assertTrue(executor.getText().contains("active"), executor.getText());
    assertEquals(1, executor.findElements(By.cssSelector(".lane [role=progressbar]")).size(), executor.getText());
  }

  @Test
  void aJobStartedFromTheFormReaches100PercentAndSucceeds() throws Exception {
    ChromeDriver browser = open();
    await(PAGE_WAIT, "primes among the tasks of the form", driver ->
        driver.findElements(By.cssSelector("#start-task option[value=primes]")).isEmpty() ? null : true);
    new Select(browser.findElement(By.id("start-task"))).selectByValue("primes");
    browser.findElement(By.cssSelector("input[name=kind][value=split]")).click();
    new Select(browser.findElement(By.id("start-mode"))).selectByValue("process");
    replaceText(browser.findElement(By.id("start-input")), PRIMES_INPUT);
    replaceText(browser.findElement(By.id("start-parts")), Integer.toString(PARTS));
    browser.findElement(By.id("start-submit")).click();

    WebElement answer = browser.findElement(By.id("start-answer"));
    String id =
        await(PAGE_WAIT, "the form's answer naming the job", driver -> {
          String job = answer.getAttribute("data-job");
          return job == null || job.isEmpty() ? null : job;
        });
    assertEquals("started job " + id, answer.getText());

    By row = By.cssSelector("#jobs tbody tr[data-job='" + id + "']");
    String finished =
        await(JOB_WAIT, "job " + id + " at 100 % and succeeded in the jobs table", driver -> {
          List<WebElement> rows = driver.findElements(row);
          if (rows.isEmpty()) {
            return null;
          }
          String progress = rows.get(0).findElement(By.cssSelector("[role=progressbar]")).getAttribute("aria-valuenow");
          String state = rows.get(0).findElement(By.cssSelector("td.state")).getText();
          return "100".equals(progress) && "succeeded".equals(state) ? rows.get(0).getText() : null;
        });
    assertTrue(finished.contains(PARTS + " / " + PARTS + " \u00b7 100%"), finished);
    assertTrue(finished.endsWith(" 0"), "no part failed: " + finished);

    // The job's detail (selected when it was started) shows the merged result, and no error.
    String detail =
        await(PAGE_WAIT, "the result in the job's detail", driver -> {
          String text = driver.findElement(By.id("job-detail")).getText();
          return text.contains(PRIMES_RESULT) ? text : null;
        });
    assertTrue(detail.contains(PARTS + " parts: " + PARTS + " done, 0 failed"), detail);
    assertTrue(!detail.contains("Errors ("), detail);

    // Calls per second from /metrics: a rate once two scrapes came in, or, from a gateway without
    // /metrics (404), "metrics unavailable". Any other state (a counter the page cannot find) fails.
    await(PAGE_WAIT, "a rate of calls, or /metrics missing", driver -> {
      String now = driver.findElement(By.id("rate-now")).getText();
      String note = driver.findElement(By.id("rate-note")).getText();
      boolean missing = driver.findElement(By.id("rate-message")).isDisplayed()
          && note.equals("metrics unavailable: this gateway has no /metrics");
      return now.matches("now \\d+\\.\\d/s.*") || missing ? true : null;
    });

    // For the screenshot: the worker's bar back at rest once the cluster view caught up.
    await(PAGE_WAIT, "the worker's executor idle again", driver ->
        driver.findElements(By.cssSelector("#executors .executor")).stream()
            .filter(element -> worker.address().equals(element.getAttribute("data-node")))
            .anyMatch(element -> element.findElement(By.cssSelector(".lane .label")).getText().startsWith("0 / ")));
    Path screenshot = chromium.screenshot(Artifacts.repoDir().resolve("integration-tests/target/dashboard.png"));
    assertTrue(Files.size(screenshot) > 10_000, "a screenshot of some size: " + screenshot);
  }

  private static ChromeDriver open() {
    ChromeDriver browser = chromium.driver();
    browser.get(cluster.client().uri("/").toString());
    assertEquals("taskgrid", browser.getTitle());
    return browser;
  }

  /** Each member row of the page: address to "roles status". */
  private static Map<String, String> members(WebDriver driver) {
    return driver.findElements(By.cssSelector("#members tbody tr")).stream()
        .collect(
            Collectors.toMap(
                element -> element.getAttribute("data-address"),
                element ->
                    element.findElements(By.tagName("td")).get(1).getText().replace('\n', ' ').trim()
                        + " "
                        + element.findElements(By.tagName("td")).get(2).getText().trim(),
                (first, second) -> first));
  }

  private static void replaceText(WebElement field, String text) {
    field.clear();
    field.sendKeys(text);
  }

  /** A wait on the page that, when it gives up, also shows the logs of the cluster's JVMs. */
  private static <T> T await(Duration within, String what, Function<WebDriver, T> check)
      throws InterruptedException {
    return chromium.await(within, what, check, cluster::tails);
  }
}
