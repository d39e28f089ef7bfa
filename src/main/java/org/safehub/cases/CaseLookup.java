package org.safehub.cases;

import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.safehub.db.ReadsTogether;

/** Reads a case by its caseRef (the routing's view of the case store). */
@FunctionalInterface
public interface CaseLookup {
  Optional<CaseFile> find(String caseRef) throws SQLException;

  /** The cases among {@code caseRefs} that exist, by caseRef (a store reads them together). */
  default Map<String, CaseFile> findAll(Collection<String> caseRefs) throws SQLException {
    Map<String, CaseFile> found = new HashMap<>();
    for (String caseRef : caseRefs) {
      find(caseRef).ifPresent(f -> found.put(caseRef, f));
    }
    return found;
  }

  /**
   * {@link #findAll} as a read to send with others ({@link ReadsTogether}), giving {@code into} the
   * cases once it has run; null (the default) if this lookup cannot, and the caller then calls
   * {@link #findAll}.
   */
  default ReadsTogether.Read findAllRead(
      Collection<String> caseRefs, Consumer<Map<String, CaseFile>> into) {
    return null;
  }
}
