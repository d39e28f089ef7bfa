package org.safehub.agencies;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.safehub.config.ConfigFiles;
import org.safehub.config.DeployConfigException;
import org.safehub.config.SafehubConfig;

/**
 * The registered agencies and agency types, read from {@code agencies.yaml}. Agency types are data:
 * adding police or probation is a line in the file, not code.
 */
@Singleton
public final class AgencyDirectory {

  public static final String FILE = "agencies.yaml";

  private final Set<AgencyType> agencyTypes;
  private final Map<String, Agency> agencies;

  public AgencyDirectory(Set<AgencyType> agencyTypes, Collection<Agency> agencies) {
    this.agencyTypes = Set.copyOf(agencyTypes);
    Map<String, Agency> map = new LinkedHashMap<>();
    agencies.forEach(a -> map.put(a.id(), a));
    this.agencies = Map.copyOf(map);
  }

  /** The agencies of {@code <safehub.config-dir>/agencies.yaml}, loaded and checked at start-up. */
  @Inject
  public AgencyDirectory(SafehubConfig config) {
    this(load(config.configDir()));
  }

  private AgencyDirectory(AgencyDirectory loaded) {
    this.agencyTypes = loaded.agencyTypes;
    this.agencies = loaded.agencies;
  }

  /** Loads and checks {@code <configDir>/agencies.yaml}. */
  public static AgencyDirectory load(Path configDir) {
    Path file = configDir.resolve(FILE);
    JsonNode root = ConfigFiles.read(file, "agencies");
    Set<AgencyType> types = new LinkedHashSet<>();
    root.path("agencyTypes").forEach(t -> types.add(AgencyType.of(t.asText())));
    Map<String, Agency> agencies = new LinkedHashMap<>();
    int i = 0;
    for (JsonNode a : root.path("agencies")) {
      String id = a.path("id").asText();
      AgencyType type = AgencyType.of(a.path("type").asText());
      if (!types.contains(type)) {
        throw new DeployConfigException(
            file.toString(),
            "/agencies/"
                + i
                + "/type: unknown agency type '"
                + type
                + "' (declare it under agencyTypes)");
      }
      if (agencies.containsKey(id)) {
        throw new DeployConfigException(
            file.toString(), "/agencies/" + i + "/id: duplicate agency id '" + id + "'");
      }
      Set<String> areas = new LinkedHashSet<>();
      a.path("areas").forEach(x -> areas.add(x.asText()));
      AgencyStatus status =
          AgencyStatus.valueOf(
              a.path("status").asText("active").toUpperCase(java.util.Locale.ROOT));
      agencies.put(id, new Agency(id, a.path("name").asText(), type, areas, status));
      i++;
    }
    return new AgencyDirectory(types, agencies.values());
  }

  public Optional<Agency> find(String id) {
    return Optional.ofNullable(id == null ? null : agencies.get(id));
  }

  public Collection<Agency> all() {
    return agencies.values();
  }

  public Set<AgencyType> agencyTypes() {
    return agencyTypes;
  }
}
