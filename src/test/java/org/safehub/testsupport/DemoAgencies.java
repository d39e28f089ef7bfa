package org.safehub.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agencies that deploy/config/agencies.yaml registers, read as plain YAML (not through the
 * hub's own loader), so tests that must cover every demo agency - both areas - follow the file
 * rather than a list of their own.
 */
public final class DemoAgencies {

  public static final Path FILE = Path.of("deploy", "config", "agencies.yaml");

  /** One registered agency: id, agency type and areas. */
  public record Registered(String id, String type, Set<String> areas) {}

  private DemoAgencies() {}

  /** Every agency in agencies.yaml, in file order. */
  public static List<Registered> all() {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Registered> out = new ArrayList<>();
    for (JsonNode a : root.path("agencies")) {
      Set<String> areas = new TreeSet<>();
      a.path("areas").forEach(x -> areas.add(x.asText()));
      out.add(new Registered(a.path("id").asText(), a.path("type").asText(), Set.copyOf(areas)));
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(FILE + " registers no agency");
    }
    return out;
  }

  /** The ids of every agency in agencies.yaml. */
  public static List<String> ids() {
    return all().stream().map(Registered::id).toList();
  }

  /** The ids of the agencies that work in {@code area}. */
  public static List<String> inArea(String area) {
    return all().stream().filter(a -> a.areas().contains(area)).map(Registered::id).toList();
  }
}
