package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.agencies.AgencyType;
import org.safehub.config.DeployConfigException;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;
import org.safehub.routing.RoutingPolicy;
import org.safehub.routing.RoutingRule;
import org.safehub.trail.AuditTrail;

/**
 * The victim-safety guarantee, whole, in code so that no policy file can switch it off: where a
 * victim or a child is, how to reach the victim, and free text (which can hide an address) never
 * reach a perpetrator programme, and nor does the list of the other recipients. Its rules: the
 * fixed list below; the agency type it protects is reserved (start-up stops if agencies.yaml no
 * longer declares it); a sharing policy that would open it is refused at start-up ({@link
 * #forbiddenIn}, called by {@link SharingPolicy}); and, as the pipeline's last stage before
 * sealing, it removes whatever got past the policy and raises an alert (logged with ids only,
 * counted, recorded in the audit log before the copy goes on; an alert that cannot be recorded
 * withholds the copy). A programme's copy never names what it removed.
 */
@Singleton
public final class SafetyGuard implements CopyStage {

  private static final Logger LOG = Logger.getLogger(SafetyGuard.class);

  /** The agency type the invariants protect against. */
  public static final AgencyType PERPETRATOR_PROGRAMME = AgencyType.of("perpetrator-programme");

  /** What never reaches a perpetrator programme. */
  public static final Set<DataCategory> NEVER_TO_PROGRAMME =
      Set.copyOf(
          EnumSet.of(
              DataCategory.VICTIM_LOCATION,
              DataCategory.VICTIM_CONTACT,
              DataCategory.CHILD_LOCATION,
              DataCategory.FREE_TEXT));

  /**
   * The names a programme's copy never lists among its removed categories: that such data existed
   * is itself information.
   */
  public static final Set<String> UNNAMED_TO_PROGRAMME =
      NEVER_TO_PROGRAMME.stream().map(DataCategory::wire).collect(Collectors.toUnmodifiableSet());

  /**
   * Envelope fields a programme's copy never holds: which other agencies were told is not its
   * business (no alert, never named).
   */
  public static final List<String> ENVELOPE_FIELDS_NEVER_TO_PROGRAMME = List.of("recipients");

  // what the guard lets through to a programme: every known category but those (untagged never
  // passes)
  private static final Set<DataCategory> PROGRAMME_MAY_HOLD =
      Set.copyOf(
          DataCategory.known().stream()
              .filter(c -> !NEVER_TO_PROGRAMME.contains(c))
              .collect(Collectors.toSet()));

  private final CategoryMaps maps;
  private final Consumer<GuardAlert> alerts;

  @Inject
  public SafetyGuard(CategoryMaps maps, AuditTrail trail, MeterRegistry metrics) {
    this(
        maps,
        alert -> {
          LOG.warnf(
              "safety guard removed %s from message %s for %s",
              alert.categories(), alert.messageId(), alert.recipient()); // ids and names only
          metrics.counter("safehub.guard.alerts").increment();
          new GuardAlertRecorder(trail, Clock.systemUTC())
              .accept(alert); // throws if it cannot: the copy is withheld
        });
  }

  /**
   * @param alerts where alerts go; one that throws withholds the copy
   */
  SafetyGuard(CategoryMaps maps, Consumer<GuardAlert> alerts) {
    this.maps = Objects.requireNonNull(maps, "maps");
    this.alerts = Objects.requireNonNull(alerts, "alerts");
  }

  /**
   * Start-up refusal: the reserved agency type must stay declared under its name, or the guard
   * would guard nothing.
   */
  public static void requireReservedType(AgencyDirectory agencies, Path configDir) {
    if (!agencies.agencyTypes().contains(PERPETRATOR_PROGRAMME)) {
      throw new DeployConfigException(
          configDir.resolve(AgencyDirectory.FILE).toString(),
          "agency type '"
              + PERPETRATOR_PROGRAMME
              + "' is reserved by the victim-safety guard and must stay declared under that name");
    }
  }

  /**
   * Start-up refusal: no routing rule may add a perpetrator programme (a copy that exists only
   * because a rule matched would tell the programme what the rule looked at).
   */
  public static void requireNoRuleAddsAProgramme(RoutingPolicy routing) {
    for (RoutingRule rule : routing.rules()) {
      if (rule.to().contains(PERPETRATOR_PROGRAMME)) {
        throw new DeployConfigException(
            RoutingPolicy.FILE,
            "rule '"
                + rule.name()
                + "' adds '"
                + PERPETRATOR_PROGRAMME
                + "', which the victim-safety guard reserves: no rule may add one");
      }
    }
  }

  /**
   * The guarded categories a policy entry would allow to {@code agencyType}; a policy with any is
   * refused.
   */
  public static List<DataCategory> forbiddenIn(
      AgencyType agencyType, Collection<DataCategory> allowed) {
    return PERPETRATOR_PROGRAMME.equals(agencyType)
        ? allowed.stream().filter(NEVER_TO_PROGRAMME::contains).distinct().sorted().toList()
        : List.of();
  }

  @Override
  public StageOutcome apply(Copy copy) {
    AgencyType type =
        AgencyType.of(copy.recipient().type()); // the copy vocabulary is below agencies
    if (!PERPETRATOR_PROGRAMME.equals(type)) {
      return new StageOutcome.Pass(copy);
    }
    try {
      CategoryMap map = maps.of(copy.envelope()).orElseThrow();
      Guarded guarded = apply(copy.view(), map, type);
      if (guarded.alert()) {
        alerts.accept(
            new GuardAlert(
                copy.envelope().messageId(), copy.recipient().id(), guarded.removedCategories()));
      }
      Set<String> removed = new TreeSet<>(copy.removedCategories());
      removed.addAll(guarded.removedCategories());
      // no flags either: a flag says what the hub knows or concluded (a repeat MARAC referral)
      return new StageOutcome.Pass(
          copy.withView(guarded.view(), List.copyOf(removed))
              .withUnnamed(UNNAMED_TO_PROGRAMME)
              .withFlags(List.of()));
    } catch (RuntimeException e) {
      return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR); // fail closed
    }
  }

  /**
   * A guarded view, and the categories the guard had to remove (non-empty: the policy or redaction
   * failed, alert).
   */
  public record Guarded(JsonNode view, List<String> removedCategories) {
    public Guarded {
      Objects.requireNonNull(view, "view");
      removedCategories = List.copyOf(removedCategories);
    }

    public boolean alert() {
      return !removedCategories.isEmpty();
    }
  }

  /**
   * The view as {@code recipientType} may hold it: for a programme, without any guarded or untagged
   * leaf nor the other recipients.
   */
  public static Guarded apply(JsonNode view, CategoryMap map, AgencyType recipientType) {
    if (!PERPETRATOR_PROGRAMME.equals(recipientType)) {
      return new Guarded(view, List.of());
    }
    Redactor.Redaction r =
        Redactor.redact(withoutOtherRecipients(view, recipientType), map, PROGRAMME_MAY_HOLD);
    return new Guarded(r.view(), r.removedCategories());
  }

  /**
   * The removed categories a copy for {@code recipientType} must never name: for a programme, the
   * guarded ones.
   */
  public static Set<String> unnamedTo(AgencyType recipientType) {
    return PERPETRATOR_PROGRAMME.equals(recipientType) ? UNNAMED_TO_PROGRAMME : Set.of();
  }

  /**
   * For a programme, the message without the envelope's list of recipients (a new top-level object;
   * the input is not changed), before anything else looks at it (the redaction stage too): what the
   * list held is named nowhere in its copy.
   */
  public static JsonNode withoutOtherRecipients(JsonNode view, AgencyType recipientType) {
    if (!PERPETRATOR_PROGRAMME.equals(recipientType)
        || !view.isObject()
        || ENVELOPE_FIELDS_NEVER_TO_PROGRAMME.stream().noneMatch(view::has)) {
      return view;
    }
    ObjectNode out = ((ObjectNode) view).objectNode();
    view.fields()
        .forEachRemaining(
            f -> {
              if (!ENVELOPE_FIELDS_NEVER_TO_PROGRAMME.contains(f.getKey())) {
                out.set(f.getKey(), f.getValue());
              }
            });
    return out;
  }
}
