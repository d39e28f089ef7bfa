package org.safehub.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The secrets this repository publishes for the local demo (the development key-store password, the
 * demo datasource passwords, the demo Keycloak client secrets {@code <client>-demo-secret}, the
 * auditor console's client secret among them, and the demo people's passwords {@code
 * <user>-demo-password}) and the placeholders of its Kubernetes manifest. A hub outside the dev
 * stack refuses to start with any of them, naming the setting.
 */
public final class DemoSecrets {

  /** Settings whose known demo values are refused, with those values. */
  static final Map<String, Set<String>> KNOWN =
      Map.of(
          "safehub.keys.hub-keystore-password", Set.of("safehub-dev-only"),
          "quarkus.datasource.password", Set.of("safehub", "postgres"));

  /** The placeholder the Kubernetes manifest's Secret ships with. */
  static final String PLACEHOLDER = "set-me";

  /** Any value containing this is a demo client secret (Keycloak realm in deploy/keycloak). */
  static final String DEMO_CLIENT_SECRET = "-demo-secret";

  /** Any value containing this is a demo user's password (the console's demo people). */
  static final String DEMO_PASSWORD = "-demo-password";

  private DemoSecrets() {}

  /**
   * The settings, among {@code names}, that hold a demo secret or a placeholder: the known settings
   * above, and every setting whose name says it holds a secret (password, secret, credential, jaas,
   * key) whose value is a demo client secret or the placeholder.
   */
  public static List<String> offending(
      Iterable<String> names, Function<String, Optional<String>> value) {
    TreeSet<String> all = new TreeSet<>(KNOWN.keySet());
    names.forEach(all::add);
    List<String> out = new ArrayList<>();
    for (String name : all) {
      if (!KNOWN.containsKey(name) && (!holdsSecret(name) || name.indexOf('.') < 0)) {
        // names without a dot are environment-variable forms: their dotted names are checked
        // instead
        continue;
      }
      Optional<String> v;
      try {
        v = value.apply(name);
      } catch (RuntimeException e) {
        continue; // a value that cannot be read is not a demo secret; its own consumer will
        // complain
      }
      if (v.isEmpty()) {
        continue;
      }
      String s = v.get().trim();
      if (KNOWN.getOrDefault(name, Set.of()).contains(s)
          || s.equals(PLACEHOLDER)
          || s.contains(DEMO_CLIENT_SECRET)
          || s.contains(DEMO_PASSWORD)) {
        out.add(name);
      }
    }
    return out;
  }

  /** The start-up refusal for {@code offending} settings. */
  public static String refusal(List<String> offending) {
    return "The hub refuses to start outside the dev stack with a demo secret or placeholder in "
        + String.join(", ", offending)
        + ": set "
        + (offending.size() == 1 ? "it" : "each")
        + " to a secret of your own (e.g. by its environment variable, "
        + envNames(offending)
        + ").";
  }

  private static String envNames(List<String> names) {
    List<String> env = new ArrayList<>();
    for (String n : names) {
      env.add(n.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
    }
    return String.join(", ", env);
  }

  private static boolean holdsSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("password")
        || n.contains("secret")
        || n.contains("credential")
        || n.contains("jaas");
  }
}
