package org.safehub.agencies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;
import org.safehub.copy.Notice;
import org.safehub.copy.WithholdReason;
import org.safehub.db.ReadsTogether;

/**
 * The suspension gate reads the suspensions fresh for every batch, whether with the batch's other
 * reads ({@link ReadsTogether}) or alone: never the last batch's, against a real PostgreSQL.
 */
class SuspensionGateIT {

  private DataSource db;
  private AgencyStatusStore statuses;
  private SuspensionGate gate;

  @BeforeEach
  void freshDatabase() {
    db = AuditDatabase.fresh();
    AgencyType type = AgencyType.of("partner-support");
    statuses =
        new AgencyStatusStore(
            db,
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

  private void beginTogether() throws Exception {
    ReadsTogether.run(db, List.of(gate.batchRead(List.of())));
    gate.beginBatch(List.of());
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

    gate.beginBatch(List.of()); // a caller that sends no reads together

    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-iss"));
  }

  @Test
  void aReadTogetherThatDidNotRunIsNotTakenForTheLastBatchs() throws Exception {
    beginTogether();
    statuses.set("demo-iss", AgencyStatus.SUSPENDED, "operator");
    ReadsTogether.Read failing = failing();

    ReadsTogether.Read suspensions = gate.batchRead(List.of());
    assertThrows(SQLException.class, () -> ReadsTogether.run(db, List.of(failing, suspensions)));
    gate.beginBatch(List.of()); // a retried start, its read together lost

    assertEquals(WithholdReason.AGENCY_SUSPENDED, to("demo-iss"));
  }

  private static ReadsTogether.Read failing() {
    return new ReadsTogether.Read() {
      @Override
      public String sql() {
        return "select * from no_such_table";
      }

      @Override
      public int bind(Connection c, PreparedStatement ps, int first) {
        return first;
      }

      @Override
      public void rows(ResultSet rs) {}
    };
  }
}
