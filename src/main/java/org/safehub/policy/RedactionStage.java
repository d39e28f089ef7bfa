package org.safehub.policy;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.safehub.agencies.AgencyType;
import org.safehub.copy.Copy;
import org.safehub.copy.CopyStage;
import org.safehub.copy.StageOutcome;
import org.safehub.copy.WithholdReason;

/**
 * Gives each recipient its own view of a message: the sharing policy's redaction for the
 * recipient's agency type (default deny). Every removed category is kept on the copy for the audit.
 * If anything goes wrong, including a recipient type without a usable policy entry, the copy is
 * withheld (fail closed). The {@link SafetyGuard} runs after it, whatever the policy says.
 */
@Singleton
public final class RedactionStage implements CopyStage {

  private final CategoryMaps maps;
  private final Function<AgencyType, Set<DataCategory>> allowedFor;

  @Inject
  public RedactionStage(CategoryMaps maps, SharingPolicy policy) {
    this(maps, Objects.requireNonNull(policy, "policy")::allowed);
  }

  /**
   * With any source of allowed categories: lets a test feed the guard a policy no file could hold.
   */
  RedactionStage(CategoryMaps maps, Function<AgencyType, Set<DataCategory>> allowedFor) {
    this.maps = Objects.requireNonNull(maps, "maps");
    this.allowedFor = Objects.requireNonNull(allowedFor, "allowedFor");
  }

  @Override
  public StageOutcome apply(Copy copy) {
    try {
      CategoryMap map = maps.of(copy.envelope()).orElse(null);
      if (map == null) {
        return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR);
      }
      AgencyType recipientType =
          AgencyType.of(copy.recipient().type()); // the copy vocabulary is below agencies
      Set<DataCategory> allowed = allowedFor.apply(recipientType);
      if (!allowed.contains(DataCategory.OPERATIONAL)) {
        return new StageOutcome.Withhold(
            WithholdReason.POLICY_ERROR); // no usable policy entry for this agency type
      }
      // what a programme never gets (the other recipients) is not looked at, so not named among the
      // removed categories
      Redactor.Redaction redacted =
          Redactor.redact(
              SafetyGuard.withoutOtherRecipients(copy.view(), recipientType), map, allowed);
      Set<String> removed = new TreeSet<>(copy.removedCategories());
      removed.addAll(redacted.removedCategories());
      return new StageOutcome.Pass(copy.withView(redacted.view(), List.copyOf(removed)));
    } catch (RuntimeException e) {
      return new StageOutcome.Withhold(WithholdReason.POLICY_ERROR);
    }
  }
}
