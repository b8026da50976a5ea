package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard of a gateway with API tokens on, in headless Chromium: the page itself loads
 * without a token, then asks for one, refuses to go on with a wrong one, and with the right one
 * shows the cluster, keeping the token in the tab's sessionStorage and nowhere that outlives it.
 */
class DashboardTokenIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = "dashboard-it-token";

  private static NodeProcess gateway;
  private static GatewayClient client;
  private static Chromium chromium;

  @BeforeAll
  static void start() throws InterruptedException {
    chromium = Chromium.start("DashboardTokenIT");
    int httpPort = FreePort.next();
    client = new GatewayClient(httpPort);
    gateway =
        NodeProcess.start(
            "DashboardTokenIT-gateway",
            NodeProcess.javaJar(Artifacts.gatewayJar(), List.of()),
            Map.of(
                "TASKGRID_API_TOKENS", TOKEN,
                "TASKGRID_HTTP_HOST", "127.0.0.1",
                "TASKGRID_HTTP_PORT", Integer.toString(httpPort),
                "TASKGRID_CLUSTER_HOST", "127.0.0.1",
                "TASKGRID_CLUSTER_PORT", Integer.toString(FreePort.next())));
    gateway.awaitReady(client, ProcessCluster.START_TIMEOUT);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  @Test
  void thePageAsksForATokenAndKeepsItForTheTabOnly() throws InterruptedException {
    ChromeDriver browser = chromium.driver();
    browser.get(client.uri("/").toString());
    assertEquals("taskgrid", browser.getTitle());
    WebElement dialog = browser.findElement(By.id("token-dialog"));
    await("the token dialog", () -> dialog.isDisplayed());

    type(browser, "a-wrong-token");
    await("the wrong token refused", () -> browser.findElement(By.id("token-error")).isDisplayed());
    assertNull(sessionToken(browser), "a refused token is not kept");

    type(browser, TOKEN);
    await("this gateway in the members table, with the token", () ->
        !browser.findElements(By.cssSelector("#members tbody tr")).isEmpty());
    assertFalse(dialog.isDisplayed(), "the dialog is closed");
    assertEquals(TOKEN, sessionToken(browser));
    assertEquals(
        0L,
        browser.executeScript("return window.localStorage.length"),
        "nothing in localStorage, which outlives the tab");
    assertTrue(
        browser.findElement(By.id("connection")).getText().contains("live"),
        browser.findElement(By.id("connection")).getText());

    // Forgetting it: the page asks again.
    browser.findElement(By.id("token-forget")).click();
    await("the token dialog again", () -> dialog.isDisplayed());
    assertNull(sessionToken(browser));
  }

  private static void type(ChromeDriver browser, String token) {
    WebElement input = browser.findElement(By.id("token-input"));
    input.clear();
    input.sendKeys(token);
    browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
  }

  private static Object sessionToken(ChromeDriver browser) {
    return browser.executeScript("return window.sessionStorage.getItem('taskgrid.token')");
  }

  private static void await(String what, BooleanSupplier check) throws InterruptedException {
    chromium.await(WAIT, what, driver -> check.getAsBoolean(), gateway::tail);
  }
}
