package org.safehub.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.safehub.audit.AuditDatabase;
import org.safehub.db.ReadsTogether;
import org.safehub.envelope.Envelope;
import org.safehub.testsupport.CountingDataSource;
import org.safehub.testsupport.TestMessages;

/**
 * The consent gate's read of a batch's consent, against a real PostgreSQL: taken with the batch's
 * other reads ({@link ReadsTogether}) it is not read again; any other batch, or a batch whose read
 * together did not run, is read alone, never given the consent read for another.
 */
class ConsentGateIT {

  private DataSource db;
  private final AtomicInteger alone = new AtomicInteger();
  private ConsentGate gate;

  @BeforeEach
  void freshDatabase() {
    db = AuditDatabase.fresh();
    DataSource counted = CountingDataSource.of(db, alone);
    gate = new ConsentGate(new ConsentRegistry(counted));
  }

  /** A batch of one consent-based message about a subject of its own. */
  private static List<Envelope> batch() {
    ObjectNode m = TestMessages.example("attendance");
    m.putObject("legalBasis").put("basis", "consent");
    Envelope e = Envelope.of(m);
    assertFalse(e.subjects().isEmpty(), "the example names its subjects");
    return List.of(e);
  }

  @Test
  void aBatchReadTogetherIsNotReadAgain() throws Exception {
    List<Envelope> batch = batch();
    ReadsTogether.Read read = gate.batchRead(batch);
    assertNotNull(read, "a consent-based batch has a read");

    ReadsTogether.run(db, List.of(read));
    gate.beginBatch(batch);

    assertEquals(0, alone.get());
  }

  @Test
  void anotherBatchIsReadAloneAndNotGivenTheConsentReadForTheLast() throws Exception {
    ReadsTogether.run(db, List.of(gate.batchRead(batch())));

    gate.beginBatch(batch());

    assertEquals(1, alone.get());
  }

  @Test
  void aBatchWhoseReadTogetherDidNotRunIsReadAlone() throws Exception {
    List<Envelope> batch = batch();
    ReadsTogether.Read read = gate.batchRead(batch);
    assertThrows(SQLException.class, () -> ReadsTogether.run(db, List.of(failing(), read)));

    gate.beginBatch(batch);

    assertEquals(1, alone.get());
  }

  private static ReadsTogether.Read failing() {
    return new ReadsTogether.Read(
        "select * from no_such_table", ReadsTogether.NO_PARAMETERS, rs -> {});
  }
}
