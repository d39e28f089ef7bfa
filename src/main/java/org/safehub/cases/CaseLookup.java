package org.safehub.cases;

import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

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
}
