package org.safehub.pipeline;

import java.util.Objects;
import java.util.UUID;
import org.safehub.copy.WithholdReason;

/** The pipeline's final word on one recipient of one message; recorded before the copy is committed. */
public record Decision(UUID messageId, String recipient, boolean delivered, WithholdReason reason) {
  public Decision {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(recipient, "recipient");
    if (!delivered) {
      Objects.requireNonNull(reason, "a withheld copy needs a reason");
    }
  }
}
