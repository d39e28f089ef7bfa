package org.safehub.copy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.safehub.envelope.Envelope;

/**
 * One recipient's copy of a message as it moves through the stages: the recipient, its view of the
 * message, and the data categories removed from that view (names only, all of them: the audit
 * records these). {@code unnamed} are categories the copy itself must never name to its recipient
 * (for a perpetrator programme, that a victim's address existed is itself information): the copy
 * document lists {@link #namedRemovedCategories()}. Once set, {@code unnamed} stays with the copy
 * through later stages. {@code flags} are what the hub marks the copy with (e.g. {@code
 * repeat-marac-referral}, {@code raised-priority}); none is an empty list.
 */
public record Copy(
    Envelope envelope,
    String sender,
    Instant receivedAt,
    Recipient recipient,
    JsonNode view,
    List<String> removedCategories,
    Set<String> unnamed,
    List<String> flags) {
  public Copy {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(recipient, "recipient");
    Objects.requireNonNull(view, "view");
    removedCategories = List.copyOf(removedCategories);
    unnamed = Set.copyOf(unnamed);
    flags = List.copyOf(flags);
  }

  /** A copy without flags. */
  public Copy(
      Envelope envelope,
      String sender,
      Instant receivedAt,
      Recipient recipient,
      JsonNode view,
      List<String> removedCategories,
      Set<String> unnamed) {
    this(envelope, sender, receivedAt, recipient, view, removedCategories, unnamed, List.of());
  }

  /** A copy whose document may name every removed category. */
  public Copy(
      Envelope envelope,
      String sender,
      Instant receivedAt,
      Recipient recipient,
      JsonNode view,
      List<String> removedCategories) {
    this(envelope, sender, receivedAt, recipient, view, removedCategories, Set.of(), List.of());
  }

  public Copy withView(JsonNode newView, List<String> removed) {
    return new Copy(envelope, sender, receivedAt, recipient, newView, removed, unnamed, flags);
  }

  /** This copy, carrying {@code newFlags} instead of its own. */
  public Copy withFlags(List<String> newFlags) {
    return new Copy(
        envelope, sender, receivedAt, recipient, view, removedCategories, unnamed, newFlags);
  }

  /** This copy, whose document must also never name {@code categories}. */
  public Copy withUnnamed(Set<String> categories) {
    Set<String> all = new java.util.HashSet<>(unnamed);
    all.addAll(categories);
    return new Copy(envelope, sender, receivedAt, recipient, view, removedCategories, all, flags);
  }

  /** The removed categories the copy document may name to its recipient. */
  public List<String> namedRemovedCategories() {
    return removedCategories.stream().filter(c -> !unnamed.contains(c)).toList();
  }
}
