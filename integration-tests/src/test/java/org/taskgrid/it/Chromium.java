package org.taskgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, both from the machine
 * ({@code apt-get install chromium chromium-driver}; .ci/run installs them): Selenium is given both
 * paths, so Selenium Manager never runs and nothing is downloaded. Missing binaries fail the test:
 * a browser test that skips itself would pass without having looked at anything.
 * {@link #close()} quits the browser and stops the driver, whatever happened.
 */
final class Chromium implements AutoCloseable {
  /** Override with -Dtaskgrid.chromium=... where the distribution puts it elsewhere. */
  private static final Path BROWSER = Path.of(System.getProperty("taskgrid.chromium", "/usr/bin/chromium"));

  private static final Path DRIVER =
      Path.of(System.getProperty("taskgrid.chromedriver", "/usr/bin/chromedriver"));

  private static final int WIDTH = 1400;
  private static final int HEIGHT = 1000;

  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private Chromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /**
   * Starts chromedriver on a free loopback port and a headless browser with a fresh profile under
   * target/ that talks to nothing but the pages it is sent to.
   *
   * @param name names the driver's log (it-logs/{name}-chromedriver.log) and the profile directory
   */
  static Chromium start(String name) {
    for (Path binary : new Path[] {BROWSER, DRIVER}) {
      assertTrue(
          Files.isExecutable(binary),
          binary + " is missing: install Debian's chromium and chromium-driver"
              + " (apt-get install -y chromium chromium-driver; .ci/run does it when they are missing)");
    }
    // Selenium looks here before it would ask Selenium Manager for a driver.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    Path profile = freshProfile(name);
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(BROWSER.toFile())
            .addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--disable-extensions",
                "--disable-default-apps",
                "--disable-domain-reliability",
                "--disable-client-side-phishing-detection",
                "--no-pings",
                // No name resolves: the browser can reach 127.0.0.1 and nothing else, so a page
                // that wanted anything from the network (a CDN, a font) would show it here.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--window-size=" + WIDTH + "," + HEIGHT,
                "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(DRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(Artifacts.logDir().resolve(name + "-chromedriver.log").toFile())
            .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      return new Chromium(service, driver);
    } catch (RuntimeException e) {
      service.stop();
      throw e;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  /**
   * Waits until {@code check} gives a value (not null, not {@code false}) on the page, polling with
   * {@link Await}; an element that the page replaced or has not drawn yet counts as "not yet".
   * When it gives up, the failure shows the page's text and {@code context} (logs' tails).
   */
  <T> T await(Duration within, String what, Function<WebDriver, T> check, Supplier<String> context)
      throws InterruptedException {
    return Await.atMost(within, what)
        .context(() -> "\n--- the page shows ---\n" + pageText() + "\n---" + context.get())
        .until(() -> {
          try {
            T value = check.apply(driver);
            return Boolean.FALSE.equals(value) ? Optional.<T>empty() : Optional.ofNullable(value);
          } catch (StaleElementReferenceException | NoSuchElementException e) {
            return Optional.<T>empty();
          }
        }, Optional::isPresent)
        .orElseThrow();
  }

  private String pageText() {
    try {
      return driver.findElement(By.tagName("body")).getText();
    } catch (RuntimeException e) {
      return "(cannot read the page: " + e + ")";
    }
  }

  /** Writes a PNG of the browser's window to {@code file}, creating its directory. */
  Path screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static Path freshProfile(String name) {
    Path target = Artifacts.repoDir().resolve("integration-tests").resolve("target");
    try {
      Files.createDirectories(target);
      return Files.createTempDirectory(target, name + "-chromium-profile-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a profile directory under " + target, e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
