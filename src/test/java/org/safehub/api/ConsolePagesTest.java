package org.safehub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The console's pages and settings as shipped. */
class ConsolePagesTest {

  private static final Path PAGES = Path.of("src", "main", "resources", "console");
  private static final Path ASSETS =
      Path.of("src", "main", "resources", "META-INF", "resources", "auditor", "assets");

  @Test
  void noPageHasInlineScriptStyleOrAnAssetFromElsewhere() throws IOException {
    List<String> faults = new ArrayList<>();
    Pattern inlineScript =
        Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
    Pattern handler = Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);
    Pattern external = Pattern.compile("(src|href)=\"(https?:)?//", Pattern.CASE_INSENSITIVE);
    List<Path> all = new ArrayList<>();
    try (Stream<Path> pages = Files.list(PAGES);
        Stream<Path> assets = Files.list(ASSETS)) {
      all.addAll(pages.toList());
      all.addAll(assets.toList());
    }
    for (Path f : all) {
      String text = Files.readString(f);
      if (f.toString().endsWith(".html")) {
        if (inlineScript.matcher(text).find()) {
          faults.add(f + ": inline script");
        }
        if (text.contains("<style") || text.contains(" style=")) {
          faults.add(f + ": inline style");
        }
        if (handler.matcher(text).find()) {
          faults.add(f + ": inline event handler");
        }
        if (external.matcher(text).find()) {
          faults.add(f + ": asset from elsewhere");
        }
      }
      if (text.contains("http://") || text.contains("https://") || text.contains("@import")) {
        faults.add(f + ": names another origin");
      }
    }
    assertTrue(faults.isEmpty(), String.join("\n", faults));
  }

  @Test
  void everyFormControlHasALabel() throws IOException {
    Pattern control = Pattern.compile("<(input|select)[^>]*\\bid=\"([^\"]+)\"");
    List<String> faults = new ArrayList<>();
    try (Stream<Path> files = Files.list(PAGES)) {
      for (Path f : files.toList()) {
        String text = Files.readString(f);
        var m = control.matcher(text);
        while (m.find()) {
          if (!text.contains("<label for=\"" + m.group(2) + "\"")) {
            faults.add(f + ": #" + m.group(2) + " has no label");
          }
        }
      }
    }
    assertTrue(faults.isEmpty(), String.join("\n", faults));
  }

  @Test
  void outsideTheDevStackAndTestsTheSessionCookiesAreSecureAndLax() throws IOException {
    Properties p = new Properties();
    try (InputStream in =
        Files.newInputStream(Path.of("src", "main", "resources", "application.properties"))) {
      p.load(in);
    }
    for (Map.Entry<String, String> e :
        Map.of(
                "quarkus.oidc.console.authentication.cookie-force-secure", "true",
                "quarkus.oidc.console.authentication.cookie-same-site", "lax",
                "quarkus.oidc.console.authentication.pkce-required", "true",
                "quarkus.oidc.console.application-type", "web-app")
            .entrySet()) {
      assertEquals(e.getValue(), p.getProperty(e.getKey()), e.getKey());
    }
  }

  @Test
  void placeholdersAreEscaped() {
    assertEquals("&lt;script&gt;&amp;&quot;&#39;", ConsoleResource.escape("<script>&\"'"));
  }
}
