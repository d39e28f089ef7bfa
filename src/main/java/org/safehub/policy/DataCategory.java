package org.safehub.policy;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The data categories the schemas tag their leaves with ({@code x-safehub-category}), and {@link
 * #UNTAGGED}: where a leaf has no tag or an unknown one, the most restricted category, which no
 * policy can allow.
 */
public enum DataCategory {
  IDENTITY("identity"),
  CONTACT("contact"),
  VICTIM_LOCATION("victim-location"),
  VICTIM_CONTACT("victim-contact"),
  CHILD_LOCATION("child-location"),
  CHILD_DETAIL("child-detail"),
  RISK("risk"),
  HEALTH("health"),
  CRIMINAL_OFFENCE("criminal-offence"),
  ATTENDANCE("attendance"),
  FREE_TEXT("free-text"),
  OPERATIONAL("operational"),
  UNTAGGED(CategoryMap.UNTAGGED);

  private static final Map<String, DataCategory> BY_WIRE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(DataCategory::wire, Function.identity()));

  private static final Set<DataCategory> KNOWN =
      Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.of(UNTAGGED)));

  private final String wire;

  DataCategory(String wire) {
    this.wire = wire;
  }

  /** The name used in schemas, in the policy file and in a copy's list of removed categories. */
  public String wire() {
    return wire;
  }

  /**
   * The twelve categories a schema may use and a policy may allow (everything but {@link
   * #UNTAGGED}).
   */
  public static Set<DataCategory> known() {
    return KNOWN;
  }

  /**
   * A known category by its wire name; empty for {@code untagged} and for any name not in the
   * schemas' README.
   */
  public static Optional<DataCategory> ofKnown(String wire) {
    DataCategory c = wire == null ? null : BY_WIRE.get(wire);
    return c == null || c == UNTAGGED ? Optional.empty() : Optional.of(c);
  }
}
