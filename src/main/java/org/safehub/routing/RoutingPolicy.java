package org.safehub.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.ConfigFiles;
import org.safehub.config.DeployConfigException;
import org.safehub.envelope.Priority;

/**
 * Who may send and who may receive each message type, and the standing subscriptions, read from
 * {@code routing.yaml} and checked against the agencies and the schema catalogue at start-up, and
 * the rules that add recipients ({@link RoutingRule}).
 */
public final class RoutingPolicy {

  public static final String FILE = "routing.yaml";

  private final Map<String, Set<AgencyType>> senders;
  private final Map<String, Set<AgencyType>> receivers;
  private final List<Subscription> subscriptions;
  private final List<RoutingRule> rules;

  /** A policy without rules. */
  public RoutingPolicy(
      Map<String, Set<AgencyType>> senders,
      Map<String, Set<AgencyType>> receivers,
      List<Subscription> subscriptions) {
    this(senders, receivers, subscriptions, List.of());
  }

  /** Rules are checked where they are read ({@link #load}); these are taken as they are. */
  public RoutingPolicy(
      Map<String, Set<AgencyType>> senders,
      Map<String, Set<AgencyType>> receivers,
      List<Subscription> subscriptions,
      List<RoutingRule> rules) {
    this.senders = Map.copyOf(senders);
    this.receivers = Map.copyOf(receivers);
    this.subscriptions = List.copyOf(subscriptions);
    this.rules = List.copyOf(rules);
  }

  /** Loads {@code <configDir>/routing.yaml}; every fault names the file and the place. */
  public static RoutingPolicy load(
      Path configDir, AgencyDirectory agencies, Collection<String> schemaTypes) {
    Path file = configDir.resolve(FILE);
    String name = file.toString();
    JsonNode root = ConfigFiles.read(file, "routing");
    Map<String, Set<AgencyType>> senders = new HashMap<>();
    Map<String, Set<AgencyType>> receivers = new HashMap<>();
    root.path("messageTypes")
        .fields()
        .forEachRemaining(
            entry -> {
              String type = entry.getKey();
              if (!schemaTypes.contains(type)) {
                throw new DeployConfigException(
                    name, "/messageTypes/" + type + ": no schema for message type '" + type + "'");
              }
              senders.put(
                  type,
                  agencyTypes(
                      entry.getValue().path("senders"),
                      agencies,
                      name,
                      "/messageTypes/" + type + "/senders"));
              receivers.put(
                  type,
                  agencyTypes(
                      entry.getValue().path("receivers"),
                      agencies,
                      name,
                      "/messageTypes/" + type + "/receivers"));
            });
    for (String type : schemaTypes) {
      if (!senders.containsKey(type)) {
        throw new DeployConfigException(
            name,
            "/messageTypes: message type '"
                + type
                + "' has a schema but no entry (who may send and receive it)");
      }
    }
    List<Subscription> subscriptions = new ArrayList<>();
    int i = 0;
    for (JsonNode s : root.path("subscriptions")) {
      String where = "/subscriptions/" + i;
      String agencyId = s.path("agency").asText();
      Agency agency =
          agencies
              .find(agencyId)
              .orElseThrow(
                  () ->
                      new DeployConfigException(
                          name, where + "/agency: unknown agency '" + agencyId + "'"));
      Set<String> types = new LinkedHashSet<>();
      for (JsonNode t : s.path("types")) {
        String type = t.asText();
        if (!receivers.containsKey(type)) {
          throw new DeployConfigException(
              name, where + "/types: unknown message type '" + type + "'");
        }
        if (!receivers.get(type).contains(agency.type())) {
          throw new DeployConfigException(
              name,
              where
                  + ": agency '"
                  + agencyId
                  + "' ("
                  + agency.type()
                  + ") subscribes to '"
                  + type
                  + "', which its agency type may not receive");
        }
        types.add(type);
      }
      Set<String> areas = new LinkedHashSet<>();
      s.path("areas").forEach(a -> areas.add(a.asText()));
      Set<Priority> priorities = new LinkedHashSet<>();
      if (s.has("priorities")) {
        s.path("priorities").forEach(p -> priorities.add(Priority.parse(p.asText())));
      } else {
        priorities.addAll(List.of(Priority.values()));
      }
      subscriptions.add(new Subscription(agencyId, types, areas, priorities));
      i++;
    }
    List<RoutingRule> rules =
        RoutingRules.load(root.path("rules"), name, receivers, agencies.agencyTypes());
    return new RoutingPolicy(senders, receivers, subscriptions, rules);
  }

  private static Set<AgencyType> agencyTypes(
      JsonNode list, AgencyDirectory agencies, String file, String where) {
    Set<AgencyType> out = new LinkedHashSet<>();
    for (JsonNode t : list) {
      AgencyType type = AgencyType.of(t.asText());
      if (!agencies.agencyTypes().contains(type)) {
        throw new DeployConfigException(file, where + ": unknown agency type '" + type + "'");
      }
      out.add(type);
    }
    return out;
  }

  public boolean maySend(AgencyType agencyType, String messageType) {
    return senders.getOrDefault(messageType, Set.of()).contains(agencyType);
  }

  public boolean mayReceive(AgencyType agencyType, String messageType) {
    return receivers.getOrDefault(messageType, Set.of()).contains(agencyType);
  }

  public List<Subscription> subscriptions() {
    return subscriptions;
  }

  /** The rules, in file order. */
  public List<RoutingRule> rules() {
    return rules;
  }

  /** The rule named {@code name}, if there is one. */
  public Optional<RoutingRule> rule(String name) {
    return rules.stream().filter(r -> r.name().equals(name)).findFirst();
  }
}
