package org.safehub.cases;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.audit.AuditAction;
import org.safehub.audit.AuditEvent;
import org.safehub.audit.AuditLog;
import org.safehub.identity.Caller;
import org.safehub.problem.HubProblem;
import org.safehub.trail.AuditTrail;

/**
 * Managing cases: who may open, read and change one. Only members read or change a case, and to
 * anyone else it does not exist ({@code 404}, the same as a caseRef never used); a {@code
 * programme} member may neither close it nor add or remove others, and sees only its own
 * membership; a perpetrator programme never opens a case. Every change commits with its audit
 * events, or neither does.
 */
@Singleton
public final class Cases {

  private static final int RETRY_AFTER_SECONDS = 5;

  private final CaseStore store;
  private final AgencyDirectory agencies;
  private final AuditTrail trail;

  @Inject
  public Cases(CaseStore store, AgencyDirectory agencies, AuditTrail trail) {
    this.store = store;
    this.agencies = agencies;
    this.trail = trail;
  }

  /** A new case: its caseRef, area and members (each already checked by {@link CaseRequests}). */
  public record NewCase(String caseRef, String area, Map<String, CaseRole> members) {}

  /** Opens a case; the caller becomes a member if it did not list itself. */
  public CaseFile open(Caller caller, NewCase request) {
    Agency self = mayOpen(caller);
    Map<String, CaseRole> members = new LinkedHashMap<>(request.members());
    members.putIfAbsent(self.id(), CaseRole.forType(self.type()));
    Instant now = now();
    CaseFile file = new CaseFile(request.caseRef(), request.area(), true, members, now, now);
    Boolean opened =
        decide(
            c -> {
              if (!store.insert(c, file)) {
                return new AuditLog.Decided<>(false, List.of());
              }
              List<AuditEvent> events = new ArrayList<>();
              events.add(
                  event(AuditAction.CASE_OPENED, caller, file.caseRef(), now)
                      .detail("area", file.area())
                      .detail("members", Integer.toString(members.size()))
                      .build());
              file.members()
                  .forEach(
                      (agency, role) ->
                          events.add(
                              memberEvent(
                                  AuditAction.CASE_MEMBER_ADDED, caller, file, agency, role, now)));
              return new AuditLog.Decided<>(true, events);
            });
    if (!opened) {
      throw HubProblem.of(409, "case-exists", "Conflict", "A case with this caseRef exists.");
    }
    return file;
  }

  /**
   * The caller's agency, if it may open cases; a {@code 403} for a perpetrator programme. Called
   * before the request body is read, so a programme learns neither whether a caseRef is taken nor
   * which agency ids exist and of what type.
   */
  public Agency mayOpen(Caller caller) {
    Agency self = agency(caller);
    if (CaseRole.PROGRAMME_TYPE.equals(self.type().name())) {
      throw HubProblem.of(
          403,
          "case-not-permitted",
          "Forbidden",
          "Agencies of type perpetrator-programme may not open cases.");
    }
    return self;
  }

  /** The case as the caller may see it: members only; a programme sees its own membership. */
  public CaseFile view(Caller caller, String caseRef) {
    CaseFile file;
    try {
      file = store.find(caseRef).orElseThrow(Cases::notFound);
    } catch (java.sql.SQLException e) {
      throw unavailable();
    }
    return visibleTo(caller, file);
  }

  /** Adds a member (or changes its role); not by a programme. */
  public CaseFile addMember(Caller caller, String caseRef, String agencyId, CaseRole role) {
    Agency added =
        CaseRequests.wellFormedAgency(agencyId) ? agencies.find(agencyId).orElse(null) : null;
    return change(
        caller,
        caseRef,
        (file, now) -> {
          requireManager(file, caller);
          if (added == null) {
            throw CaseRequests.invalid(
                "/agency", "unknown-agency", "No agency with this id is registered.");
          }
          if (!role.fits(added.type())) {
            throw CaseRequests.invalid(
                "/role",
                "role-not-permitted",
                "Agencies of type '"
                    + added.type()
                    + "' may not hold the role '"
                    + role.wire()
                    + "'.");
          }
          return Change.of(
              c -> store.putMember(c, caseRef, added.id(), role, now),
              memberEvent(AuditAction.CASE_MEMBER_ADDED, caller, file, added.id(), role, now));
        });
  }

  /** Removes a member; not by a programme (except itself), never the last member. */
  public CaseFile removeMember(Caller caller, String caseRef, String agencyId) {
    return change(
        caller,
        caseRef,
        (file, now) -> {
          if (!agencyId.equals(caller.agencyId())) {
            requireManager(file, caller);
          }
          CaseRole role =
              file.roleOf(agencyId)
                  .orElseThrow(
                      () -> HubProblem.notFound("The agency is not a member of this case."));
          if (file.members().size() == 1) {
            throw HubProblem.of(
                409,
                "last-member",
                "Conflict",
                "A case keeps at least one member; close it instead.");
          }
          return Change.of(
              c -> store.removeMember(c, caseRef, agencyId, now),
              memberEvent(AuditAction.CASE_MEMBER_REMOVED, caller, file, agencyId, role, now));
        });
  }

  /** Closes the case: case-tied delivery ends at once. Not by a programme. */
  public CaseFile close(Caller caller, String caseRef) {
    return setOpen(caller, caseRef, false);
  }

  /** Reopens a closed case. */
  public CaseFile reopen(Caller caller, String caseRef) {
    return setOpen(caller, caseRef, true);
  }

  private CaseFile setOpen(Caller caller, String caseRef, boolean open) {
    return change(
        caller,
        caseRef,
        (file, now) -> {
          requireManager(file, caller); // a programme neither closes a case nor reopens one
          if (file.open() == open) {
            return Change.NONE;
          }
          return Change.of(
              c -> store.setOpen(c, caseRef, open, now),
              event(
                      open ? AuditAction.CASE_REOPENED : AuditAction.CASE_CLOSED,
                      caller,
                      caseRef,
                      now)
                  .build());
        });
  }

  /** One change to a case: its write and its audit event. */
  private record Change(CaseWrite write, AuditEvent event) {
    static final Change NONE = new Change(null, null);

    static Change of(CaseWrite write, AuditEvent event) {
      return new Change(write, event);
    }
  }

  @FunctionalInterface
  private interface CaseWrite {
    void run(java.sql.Connection c) throws java.sql.SQLException;
  }

  /**
   * Locks the case, checks the caller is a member (404 otherwise, as for no case), decides the
   * change, writes it with its audit event, and returns the case as the caller may now see it.
   */
  private CaseFile change(
      Caller caller, String caseRef, BiFunction<CaseFile, Instant, Change> decideChange) {
    Instant now = now();
    CaseFile after =
        decide(
            c -> {
              CaseFile file = store.find(c, caseRef, true).orElseThrow(Cases::notFound);
              if (!file.isMember(caller.agencyId())) {
                throw notFound();
              }
              Change change = decideChange.apply(file, now);
              if (change.write() == null) {
                return new AuditLog.Decided<>(file, List.of());
              }
              change.write().run(c);
              return new AuditLog.Decided<>(
                  store.find(c, caseRef, false).orElseThrow(), List.of(change.event()));
            });
    if (!after.isMember(caller.agencyId())) {
      // the caller removed itself: it sees nothing of the case from now on
      return new CaseFile(
          after.caseRef(),
          after.area(),
          after.open(),
          Map.of(),
          after.openedAt(),
          after.updatedAt());
    }
    return visibleTo(caller, after);
  }

  private <T> T decide(AuditLog.Decision<T> decision) {
    try {
      return trail.decide(decision);
    } catch (HubProblem p) {
      throw p;
    } catch (RuntimeException e) {
      throw unavailable();
    }
  }

  private static void requireManager(CaseFile file, Caller caller) {
    if (file.roleOf(caller.agencyId()).orElse(null) == CaseRole.PROGRAMME) {
      throw HubProblem.of(
          403,
          "case-role-not-permitted",
          "Forbidden",
          "A programme member may not close or reopen a case or add or remove other members.");
    }
  }

  private static CaseFile visibleTo(Caller caller, CaseFile file) {
    Optional<CaseRole> role = file.roleOf(caller.agencyId());
    if (role.isEmpty()) {
      throw notFound();
    }
    if (role.get() == CaseRole.PROGRAMME) {
      // who else is on the case (a refuge's support service in another area) is not a programme's
      // to
      // know
      return new CaseFile(
          file.caseRef(),
          file.area(),
          file.open(),
          Map.of(caller.agencyId(), role.get()),
          file.openedAt(),
          file.updatedAt());
    }
    return file;
  }

  private Agency agency(Caller caller) {
    return agencies
        .find(caller.agencyId())
        .orElseThrow(
            () ->
                HubProblem.of(
                    403,
                    "unknown-agency",
                    "Forbidden",
                    "The token's agency is not registered with the hub."));
  }

  /** The one answer for a case the caller may not see and a case that does not exist. */
  public static HubProblem notFound() {
    return HubProblem.of(404, "case-not-found", "Not Found", "No such case.");
  }

  static HubProblem unavailable() {
    return HubProblem.unavailable(
        "The case store is unavailable right now; try again.", RETRY_AFTER_SECONDS);
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private static AuditEvent.Builder event(
      AuditAction action, Caller caller, String caseRef, Instant now) {
    return AuditEvent.builder(action, now)
        .actor(caller.agencyId(), caller.clientId())
        .caseRef(caseRef);
  }

  private static AuditEvent memberEvent(
      AuditAction action, Caller caller, CaseFile file, String agency, CaseRole role, Instant now) {
    return event(action, caller, file.caseRef(), now)
        .recipient(agency)
        .detail("role", role.wire())
        .build();
  }
}
