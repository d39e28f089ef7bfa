package org.safehub.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.safehub.copy.WithholdReason;
import org.safehub.routing.Via;

/** A batch's decisions become one row per copy before the (multi-row) upsert. */
class DeliveryStatusStoreTest {

  @Test
  void aCopyDecidedTwiceInOneBatchIsWrittenOnceAsTheUpsertsInTurnWouldLeaveIt() {
    // Given a message read twice in one batch (a re-send after a lost answer), and another copy
    UUID id = UUID.randomUUID();
    DeliveryStatusStore.Outcome first =
        new DeliveryStatusStore.Outcome(id, "demo-iss", true, null, null, null, Via.CASE);
    DeliveryStatusStore.Outcome again =
        new DeliveryStatusStore.Outcome(
            id, "demo-iss", false, WithholdReason.AGENCY_SUSPENDED, null, null, null);
    DeliveryStatusStore.Outcome other =
        new DeliveryStatusStore.Outcome(id, "demo-cs", true, null, null, null, Via.EXPLICIT);

    // When they are made one row each
    List<DeliveryStatusStore.Outcome> rows =
        List.copyOf(DeliveryStatusStore.oneRowEach(List.of(first, other, again)));

    // Then each copy has one row, in first-seen order: the last decision, keeping the route the
    // earlier one named (the upsert keeps delivery.via when the new one is null)
    assertEquals(2, rows.size());
    assertEquals(
        new DeliveryStatusStore.Outcome(
            id, "demo-iss", false, WithholdReason.AGENCY_SUSPENDED, null, null, Via.CASE),
        rows.get(0));
    assertEquals(other, rows.get(1));
  }
}
