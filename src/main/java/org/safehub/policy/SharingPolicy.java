package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.ConfigFiles;
import org.safehub.config.DeployConfigException;
import org.safehub.config.SafehubConfig;

/**
 * Which data categories each agency type may receive, read from {@code sharing-policy.yaml}.
 * Default deny: a category not listed for an agency type is removed from its copies. Checked at
 * start-up against the agency types and the safety guard, so a policy that would leak cannot be
 * loaded.
 */
@Singleton
public final class SharingPolicy {

  public static final String FILE = "sharing-policy.yaml";

  private final Map<AgencyType, Set<DataCategory>> allowed;

  private SharingPolicy(Map<AgencyType, Set<DataCategory>> allowed) {
    Map<AgencyType, Set<DataCategory>> copy = new LinkedHashMap<>();
    allowed.forEach(
        (type, categories) -> {
          Set<DataCategory> set = EnumSet.noneOf(DataCategory.class);
          set.addAll(categories);
          copy.put(type, Collections.unmodifiableSet(set));
        });
    this.allowed = Collections.unmodifiableMap(copy);
  }

  /**
   * The policy of {@code <safehub.config-dir>/sharing-policy.yaml}, checked at start-up against the
   * agency types and the safety guard.
   */
  @Inject
  public SharingPolicy(SafehubConfig config, AgencyDirectory agencies) {
    this(loadGuarded(config.configDir(), agencies));
  }

  private SharingPolicy(SharingPolicy loaded) {
    this.allowed = loaded.allowed;
  }

  private static SharingPolicy loadGuarded(Path configDir, AgencyDirectory agencies) {
    SafetyGuard.requireReservedType(agencies, configDir);
    return load(configDir, agencies);
  }

  /**
   * Loads {@code <configDir>/sharing-policy.yaml}; every fault names the file, the JSON pointer and
   * what is wrong.
   */
  public static SharingPolicy load(Path configDir, AgencyDirectory agencies) {
    Path file = configDir.resolve(FILE);
    String name = file.toString();
    JsonNode root = ConfigFiles.read(file, "sharing-policy");
    Map<AgencyType, Set<DataCategory>> allowed = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("allow").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = "/allow/" + entry.getKey();
      AgencyType type = AgencyType.of(entry.getKey());
      if (!agencies.agencyTypes().contains(type)) {
        throw new DeployConfigException(
            name,
            at + ": unknown agency type '" + type + "' (not in " + AgencyDirectory.FILE + ")");
      }
      Set<DataCategory> categories = EnumSet.noneOf(DataCategory.class);
      int i = 0;
      for (JsonNode c : entry.getValue()) {
        String wire = c.asText();
        DataCategory category =
            DataCategory.ofKnown(wire)
                .orElseThrow(
                    () ->
                        new DeployConfigException(
                            name, at + ": unknown data category '" + wire + "'"));
        if (!SafetyGuard.forbiddenIn(type, List.of(category)).isEmpty()) {
          throw new DeployConfigException(
              name,
              at
                  + "/"
                  + i
                  + ": '"
                  + wire
                  + "' may never reach a "
                  + type
                  + " agency (a victim-safety invariant; remove it)");
        }
        categories.add(category);
        i++;
      }
      if (!categories.contains(DataCategory.OPERATIONAL)) {
        throw new DeployConfigException(
            name, at + ": must allow 'operational' (the envelope's routing fields)");
      }
      allowed.put(type, categories);
    }
    for (AgencyType type : agencies.agencyTypes()) {
      if (!allowed.containsKey(type)) {
        throw new DeployConfigException(
            name, "/allow: agency type '" + type + "' has no entry (list what it may receive)");
      }
    }
    return new SharingPolicy(allowed);
  }

  /**
   * A policy built in code (for tests and tools); checked like the file: every entry allows {@code
   * operational} and nothing the safety guard forbids.
   */
  public static SharingPolicy of(Map<AgencyType, Set<DataCategory>> allowed) {
    Objects.requireNonNull(allowed, "allowed");
    allowed.forEach(
        (type, categories) -> {
          if (categories.contains(DataCategory.UNTAGGED)) {
            throw new IllegalArgumentException(
                "/allow/" + type + ": 'untagged' can never be allowed");
          }
          if (!categories.contains(DataCategory.OPERATIONAL)) {
            throw new IllegalArgumentException("/allow/" + type + ": must allow 'operational'");
          }
          List<DataCategory> forbidden = SafetyGuard.forbiddenIn(type, categories);
          if (!forbidden.isEmpty()) {
            throw new IllegalArgumentException(
                "/allow/" + type + ": " + forbidden + " may never reach a " + type + " agency");
          }
        });
    return new SharingPolicy(allowed);
  }

  /** The categories an agency type may receive; none for a type the policy does not name. */
  public Set<DataCategory> allowed(AgencyType agencyType) {
    return allowed.getOrDefault(agencyType, Set.of());
  }

  /** The agency types the policy names. */
  public Set<AgencyType> agencyTypes() {
    return allowed.keySet();
  }
}
