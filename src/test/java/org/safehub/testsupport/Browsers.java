package org.safehub.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Debian's chromedriver (both from the machine's package
 * manager: {@code .ci/run} installs them). Missing, a test fails: it never skips.
 */
public final class Browsers {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private Browsers() {}

  /** A fresh headless browser (its own profile), downloading into {@code downloads}. */
  public static ChromeDriver chromium(Path downloads) {
    assertTrue(
        Files.isExecutable(CHROMIUM),
        "Debian's chromium is needed: apt-get install chromium (.ci/run installs it)");
    assertTrue(
        Files.isExecutable(CHROMEDRIVER),
        "Debian's chromedriver is needed: apt-get install chromium-driver (.ci/run installs it)");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000");
    options.setExperimentalOption(
        "prefs",
        Map.of(
            "download.default_directory",
            downloads.toAbsolutePath().toString(),
            "download.prompt_for_download",
            false,
            "safebrowsing.enabled",
            false));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  public static WebDriverWait waiting(WebDriver driver) {
    return new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  /** Signs in through the realm's real Keycloak login form, which the browser is showing. */
  public static void signIn(WebDriver driver, String username, String password) {
    awaitLoginForm(driver);
    driver.findElement(By.id("username")).sendKeys(username);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.id("kc-login")).click();
  }

  /** Waits for Keycloak's login form; if it does not come, fails saying what the browser shows. */
  public static void awaitLoginForm(WebDriver driver) {
    try {
      waiting(driver).until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
    } catch (TimeoutException e) {
      String page = driver.getPageSource();
      throw new AssertionError(
          "no login form at "
              + driver.getCurrentUrl()
              + ": "
              + page.substring(0, Math.min(page.length(), 3000)),
          e);
    }
  }

  /** The serious and critical accessibility violations axe-core finds on the page shown. */
  public static List<String> seriousViolations(WebDriver driver) {
    Results results = new AxeBuilder().analyze(driver);
    return results.getViolations().stream()
        .filter(r -> "serious".equals(r.getImpact()) || "critical".equals(r.getImpact()))
        .map(Browsers::describe)
        .toList();
  }

  private static String describe(Rule r) {
    return r.getId() + " (" + r.getImpact() + "): " + r.getHelp() + " " + r.getNodes().size();
  }
}
