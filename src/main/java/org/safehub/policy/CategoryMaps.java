package org.safehub.policy;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.safehub.envelope.Envelope;
import org.safehub.validation.MessageSchema;
import org.safehub.validation.SchemaCatalogue;

/**
 * The category map of each message type and version (the envelope's, with the payload's under it),
 * built once.
 */
@Singleton
public final class CategoryMaps {

  private final SchemaCatalogue catalogue;
  private final CategoryMap envelope;
  private final Map<String, CategoryMap> byTypeAndVersion = new ConcurrentHashMap<>();

  @Inject
  public CategoryMaps(SchemaCatalogue catalogue) {
    this(catalogue, CategoryMap.of(catalogue.envelopeDocument()));
  }

  /**
   * @param envelope the category map of {@code schemas/envelope/v1.schema.json}
   */
  public CategoryMaps(SchemaCatalogue catalogue, CategoryMap envelope) {
    this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
    this.envelope = Objects.requireNonNull(envelope, "envelope");
  }

  /**
   * The map of the envelope's message type and version; empty if the catalogue has no such schema.
   */
  public Optional<CategoryMap> of(Envelope e) {
    Optional<MessageSchema> schema = catalogue.schema(e.type(), e.schemaVersion());
    return schema.map(
        s ->
            byTypeAndVersion.computeIfAbsent(
                e.type() + "/v" + e.schemaVersion(),
                k -> envelope.with("payload", CategoryMap.of(s.document()))));
  }
}
