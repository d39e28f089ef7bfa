package org.safehub.policy;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.routing.WithholdReason;
import org.safehub.validation.MessageSchema;
import org.safehub.validation.SchemaCatalogue;

/**
 * Gives each recipient its own view of a message: the policy's redaction for the recipient's agency
 * type, then the safety guard. If the guard had to remove anything it raises a {@link GuardAlert} and
 * still passes the guarded copy; if anything goes wrong, including an alert that cannot be recorded, the copy
 * is withheld (fail closed). Every removed category is kept on the copy for the audit, but a programme's
 * copy document never names a guarded one ({@link SafetyGuard#unnamedTo}).
 */
public final class RedactionStage implements CopyStage {

  private final SchemaCatalogue catalogue;
  private final CategoryMap envelope;
  private final Function<AgencyType, Set<DataCategory>> allowedFor;
  private final Consumer<GuardAlert> alerts;
  private final Map<String, CategoryMap> messageMaps = new ConcurrentHashMap<>();

  /**
   * @param envelope the category map of {@code schemas/envelope/v1.schema.json}
   * @param alerts where guard alerts go (an audit event, a metric); receives no values
   */
  public RedactionStage(SchemaCatalogue catalogue, CategoryMap envelope, SharingPolicy policy, Consumer<GuardAlert> alerts) {
    this(catalogue, envelope, Objects.requireNonNull(policy, "policy")::allowed, alerts);
  }

  /** With any source of allowed categories: lets a test feed the guard a policy no file could hold. */
  RedactionStage(SchemaCatalogue catalogue, CategoryMap envelope, Function<AgencyType, Set<DataCategory>> allowedFor, Consumer<GuardAlert> alerts) {
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.envelope = Objects.requireNonNull(envelope, "envelope");
    this.allowedFor = Objects.requireNonNull(allowedFor, "allowedFor");
    this.alerts = Objects.requireNonNull(alerts, "alerts");
  }

  @Override
  public StageOutcome apply(Copy copy) {
    try {
      String type = copy.envelope().type();
      int version = copy.envelope().schemaVersion();
      MessageSchema schema = catalogue.schema(type, version).orElse(null);
      if (schema == null) {
        return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR);
      }
      CategoryMap map = messageMaps.computeIfAbsent(type + "/v" + version, k -> envelope.with("payload", CategoryMap.of(schema.document())));
      AgencyType recipientType = copy.recipient().type();
      Set<DataCategory> allowed = allowedFor.apply(recipientType);
      if (!allowed.contains(DataCategory.OPERATIONAL)) {
        return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR); // no usable policy entry for this agency type
      }
      Redactor.Redaction redacted = Redactor.redact(SafetyGuard.withoutOtherRecipients(copy.view(), recipientType), map, allowed);
      SafetyGuard.Guarded guarded = SafetyGuard.apply(redacted.view(), map, recipientType);
      if (guarded.alert()) {
        alerts.accept(new GuardAlert(copy.envelope().messageId(), copy.recipient().id(), guarded.removedCategories()));
      }
      Set<String> removed = new TreeSet<>(copy.removedCategories());
      removed.addAll(redacted.removedCategories());
      removed.addAll(guarded.removedCategories());
      return new StageOutcome.Pass(copy.withView(guarded.view(), List.copyOf(removed)).withUnnamed(SafetyGuard.unnamedTo(recipientType)));
    } catch (RuntimeException e) {
      return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR);
    }
  }
}
