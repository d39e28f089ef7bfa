package org.safehub.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import org.safehub.audit.JustificationSealer;

/**
 * Seals audit justifications with an {@link AtRestSealer} (AES-256-GCM under data keys wrapped by
 * the hub's audit key, {@link HubKeys#auditKey()}), each bound to its message id, so a sealed
 * justification moved to another message does not open. Destroying the audit key makes every
 * justification unreadable; the log still verifies.
 */
public final class SealedJustifications implements JustificationSealer {

  private static final String AAD_LABEL = "safehub.audit.justification";

  private final AtRestSealer sealer;

  public SealedJustifications(KeyEncryptionKey auditKey) {
    this.sealer =
        new AtRestSealer(
            Objects.requireNonNull(auditKey, "auditKey"), AtRestSealer.DekPolicy.DEFAULT);
  }

  @Override
  public byte[] seal(UUID messageId, String justification) {
    try {
      return sealer.seal(justification.getBytes(StandardCharsets.UTF_8), aad(messageId));
    } catch (CryptoException e) {
      throw new IllegalStateException("a justification could not be sealed", e);
    }
  }

  @Override
  public String open(UUID messageId, byte[] sealed) {
    try {
      return new String(sealer.open(sealed, aad(messageId)), StandardCharsets.UTF_8);
    } catch (CryptoException e) {
      throw new IllegalStateException("a justification could not be opened", e);
    }
  }

  private static byte[] aad(UUID messageId) {
    return AtRestSealer.aad(AAD_LABEL, messageId.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
