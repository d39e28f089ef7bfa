package org.safehub.cases;

import java.sql.SQLException;
import java.util.Optional;

/** Reads a case by its caseRef (the routing's view of the case store). */
@FunctionalInterface
public interface CaseLookup {
  Optional<CaseFile> find(String caseRef) throws SQLException;
}
