package org.safehub.ingress;

import java.time.Instant;
import java.util.UUID;

/** What a publisher gets back for an accepted message. */
public record Receipt(UUID messageId, Instant receivedAt) {}
