package org.safehub.audit;

import java.util.UUID;

/**
 * Seals and opens the written justification of a share without consent, bound to its message, under
 * a key the audit package never sees (the hub's audit key, see org.safehub.crypto.HubKeys). The
 * audit log stores only the sealed form, once per message, and its leaves commit to the sealed
 * form's SHA-256, so destroying the key makes justifications unreadable without making the log
 * unverifiable.
 */
public interface JustificationSealer {

  /**
   * AES-256-GCM seal of {@code justification} (UTF-8), bound to {@code messageId}; throws if it
   * cannot.
   */
  byte[] seal(UUID messageId, String justification);

  /**
   * The justification sealed for {@code messageId}; throws if the key is gone or the seal was
   * altered or moved.
   */
  String open(UUID messageId, byte[] sealed);

  /**
   * For logs that must never hold a justification: refuses to seal, so an append carrying one
   * fails.
   */
  JustificationSealer NONE =
      new JustificationSealer() {
        @Override
        public byte[] seal(UUID messageId, String justification) {
          throw new IllegalStateException("this audit log has no key to seal justifications with");
        }

        @Override
        public String open(UUID messageId, byte[] sealed) {
          throw new IllegalStateException("this audit log has no key to open justifications with");
        }
      };
}
