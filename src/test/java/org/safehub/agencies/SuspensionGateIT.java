package org.safehub.agencies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;
import org.safehub.copy.Notice;
import org.safehub.copy.WithholdReason;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;
import org.safehub.testsupport.CountingDataSource;

/**
 * The suspension gate reads the suspensions fresh for every batch, whether with the batch's other
 * reads ({@link ReadsTogether}) or alone: never the last batch's, against a real PostgreSQL.
 */
class SuspensionGateIT {

  private DataSource db;
  private final AtomicInteger alone = new AtomicInteger();
  private AgencyStatusStore statuses;
  private SuspensionGate gate;

  @BeforeEach
  void freshDatabase() {
    db = AuditDatabase.fresh();
    AgencyType type = AgencyType.of("partner-support");
    DataSource counted = CountingDataSource.of(db, alone);
    statuses =
        new AgencyStatusStore(
            counted,
            new AgencyDirectory(
                Set.of(type),
                List.of(
                    new Agency("demo-iss", "ISS", type, Set.of("E09000001"), AgencyStatus.ACTIVE),
                    new Agency(
                        "demo-off", "Off", type, Set.of("E09000001"), AgencyStatus.SUSPENDED))));
    gate = new SuspensionGate(statuses);
  }

  private WithholdReason to(String agency) {
    return gate.withhold(new Notice(agency, "test", JsonNodeFactory.instance.objectNode()));
  }

  /** Begins a batch with its read together; asserts the gate did not read alone. */
  private void beginTogether() throws Exception {
    List<Envelope> batch = new ArrayList<>();
    ReadsTogether.run(db, List.of(gate.batchRead(batch)));
    int before = alone.get();
    gate.beginBatch(batch);
    assertEquals(before, alone.get(), "read together, not again alone");
  }

  @Test
  void eachBatchReadTogetherSeesTheSuspensionsMadeBeforeIt() throws Exception {
    beginTogether();
    assertNull(to("demo-iss"));
    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-off"), "suspended in agencies.yaml");

    statuses.set("demo-iss", AgencyStatus.SUSPENDED, "operator");
    statuses.set("demo-off", AgencyStatus.ACTIVE, "operator");
    beginTogether();

    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-iss"));
    assertNull(to("demo-off"), "reinstated by an operator");
  }

  @Test
  void aBatchBegunWithoutTheReadTogetherReadsAlone() throws Exception {
    beginTogether();
    statuses.set("demo-iss", AgencyStatus.SUSPENDED, "operator");

    int before = alone.get();
    gate.beginBatch(List.of()); // a caller that sends no reads together

    assertEquals(before + 1, alone.get(), "read alone");
    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-iss"));
  }

  @Test
  void aReadTogetherThatDidNotRunIsNotTakenForTheLastBatchs() throws Exception {
    beginTogether();
    statuses.set("demo-iss", AgencyStatus.SUSPENDED, "operator");
    ReadsTogether.Read failing = failing();

    List<Envelope> batch = new ArrayList<>();
    ReadsTogether.Read suspensions = gate.batchRead(batch);
    assertThrows(SQLException.class, () -> ReadsTogether.run(db, List.of(failing, suspensions)));
    gate.beginBatch(batch); // a retried start, its read together lost

    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-iss"));
  }

  private static ReadsTogether.Read failing() {
    return new ReadsTogether.Read(
        "select * from no_such_table", ReadsTogether.NO_PARAMETERS, rs -> {});
  }
}
