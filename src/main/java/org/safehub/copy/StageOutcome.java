package org.safehub.copy;

import java.util.Objects;

/** What a stage decided for a copy: pass it on (possibly changed), or withhold it with a reason. */
public sealed interface StageOutcome {
  record Pass(Copy copy) implements StageOutcome {
    public Pass {
      Objects.requireNonNull(copy, "copy");
    }
  }

  record Withhold(WithholdReason reason) implements StageOutcome {
    public Withhold {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
