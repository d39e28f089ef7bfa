package org.safehub.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.safehub.agencies.AgencyType;

/**
 * The victim-safety invariants, in code so that no policy file can switch them off: where a victim or
 * a child is, how to reach the victim, and free text (which can hide an address) never reach a
 * perpetrator programme. Applied to every copy after the policy's redaction (removing with the
 * {@link Redactor}'s walk, but by its own fixed list), and used to reject at start-up any policy that
 * would allow them.
 */
public final class SafetyGuard {

  /** The agency type the invariants protect against. */
  public static final AgencyType PERPETRATOR_PROGRAMME = AgencyType.of("perpetrator-programme");

  /** What never reaches a perpetrator programme. */
  public static final Set<DataCategory> NEVER_TO_PROGRAMME =
      Set.copyOf(EnumSet.of(DataCategory.VICTIM_LOCATION, DataCategory.VICTIM_CONTACT, DataCategory.CHILD_LOCATION, DataCategory.FREE_TEXT));

  /** The names a programme's copy never lists among its removed categories: that such data existed is itself information. */
  public static final Set<String> UNNAMED_TO_PROGRAMME = NEVER_TO_PROGRAMME.stream().map(DataCategory::wire).collect(java.util.stream.Collectors.toUnmodifiableSet());

  /** Envelope fields a programme's copy never holds: which other agencies were told is not its business. */
  public static final List<String> ENVELOPE_FIELDS_NEVER_TO_PROGRAMME = List.of("recipients");

  // what the guard lets through to a programme: every known category but those (untagged never passes)
  private static final Set<DataCategory> PROGRAMME_MAY_HOLD = withoutGuarded();

  private SafetyGuard() {}

  /** A guarded view, and the categories the guard had to remove (non-empty means the policy or redaction failed: alert). */
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
   * The view as {@code recipientType} may hold it: for a perpetrator programme, without any guarded or
   * untagged leaf, and without the envelope's list of the other recipients (not a category: removing it
   * raises no alert and is named nowhere in the copy).
   */
  public static Guarded apply(JsonNode view, CategoryMap map, AgencyType recipientType) {
    if (!PERPETRATOR_PROGRAMME.equals(recipientType)) {
      return new Guarded(view, List.of());
    }
    Redactor.Redaction r = Redactor.redact(withoutOtherRecipients(view, recipientType), map, PROGRAMME_MAY_HOLD);
    return new Guarded(r.view(), r.removedCategories());
  }

  /**
   * For a programme, the message without the envelope's list of recipients (a new top-level object; the
   * input is not changed), before anything else looks at it: which other agencies were told is not its
   * business, and what the list held is named nowhere in its copy. For anyone else, the message itself.
   */
  public static JsonNode withoutOtherRecipients(JsonNode view, AgencyType recipientType) {
    if (!PERPETRATOR_PROGRAMME.equals(recipientType) || !view.isObject() || ENVELOPE_FIELDS_NEVER_TO_PROGRAMME.stream().noneMatch(view::has)) {
      return view;
    }
    com.fasterxml.jackson.databind.node.ObjectNode out = ((com.fasterxml.jackson.databind.node.ObjectNode) view).objectNode();
    view.fields().forEachRemaining(f -> {
      if (!ENVELOPE_FIELDS_NEVER_TO_PROGRAMME.contains(f.getKey())) {
        out.set(f.getKey(), f.getValue());
      }
    });
    return out;
  }

  /** The removed categories a copy for {@code recipientType} must never name: for a programme, the guarded ones. */
  public static Set<String> unnamedTo(AgencyType recipientType) {
    return PERPETRATOR_PROGRAMME.equals(recipientType) ? UNNAMED_TO_PROGRAMME : Set.of();
  }

  /** The guarded categories a policy entry would allow to {@code agencyType}; a policy with any is rejected. */
  public static List<DataCategory> forbiddenIn(AgencyType agencyType, Collection<DataCategory> allowed) {
    if (!PERPETRATOR_PROGRAMME.equals(agencyType)) {
      return List.of();
    }
    return allowed.stream().filter(NEVER_TO_PROGRAMME::contains).distinct().sorted().toList();
  }

  private static Set<DataCategory> withoutGuarded() {
    Set<DataCategory> s = EnumSet.copyOf(DataCategory.known());
    s.removeAll(NEVER_TO_PROGRAMME);
    return Set.copyOf(s);
  }
}
