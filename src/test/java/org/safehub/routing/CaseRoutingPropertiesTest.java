package org.safehub.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.safehub.agencies.Agency;
import org.safehub.agencies.AgencyDirectory;
import org.safehub.cases.CaseFile;
import org.safehub.cases.CaseRole;
import org.safehub.envelope.Envelope;
import org.safehub.envelope.LegalBasis;
import org.safehub.envelope.Priority;

/**
 * Case-tied routing over the shipped agencies and routing.yaml, for generated cases (open or
 * closed, members in roles their types may hold), messages of every type, explicit recipients and
 * senders: nothing reaches an agency whose type may not receive the type (so a perpetrator
 * programme gets no more from a case than routing.yaml allows, and every copy still goes through
 * consent, redaction and the guard); a programme gets a copy only if named, subscribed or a member;
 * only partner-support members of an open case are raised; and a programme that is not a member
 * routes as if the case did not exist (its status shows nothing of the case).
 */
class CaseRoutingPropertiesTest {

  private static final Path CONFIG = Path.of("deploy", "config");
  private static final AgencyDirectory AGENCIES = AgencyDirectory.load(CONFIG);
  private static final Set<String> TYPES =
      Set.of(
          "referral",
          "assessment-outcome",
          "attendance",
          "programme-exit",
          "risk-disclosure",
          "child-protection-alert",
          "marac-referral",
          "marac-action",
          "partner-contact-summary",
          "consent-change",
          "acknowledgement");
  private static final RoutingPolicy POLICY = RoutingPolicy.load(CONFIG, AGENCIES, TYPES);
  private static final List<String> IDS = AGENCIES.all().stream().map(Agency::id).sorted().toList();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One generated situation: a case (maybe), a message on it, its sender. */
  record Situation(
      CaseFile file,
      String type,
      String sender,
      List<String> recipients,
      Priority priority,
      String payloadKind) {}

  @Provide
  Arbitrary<Situation> situations() {
    Arbitrary<Map<String, CaseRole>> members =
        Arbitraries.subsetOf(IDS)
            .flatMap(
                ids -> {
                  List<Arbitrary<CaseRole>> roles = new ArrayList<>();
                  List<String> ordered = new ArrayList<>(ids);
                  for (String id : ordered) {
                    Agency a = AGENCIES.find(id).orElseThrow();
                    roles.add(
                        Arbitraries.of(
                            List.of(CaseRole.values()).stream()
                                .filter(r -> r.fits(a.type()))
                                .toList()));
                  }
                  return Combinators.combine(roles)
                      .as(
                          list -> {
                            Map<String, CaseRole> m = new LinkedHashMap<>();
                            for (int i = 0; i < ordered.size(); i++) {
                              m.put(ordered.get(i), list.get(i));
                            }
                            return m;
                          });
                });
    Arbitrary<Optional<CaseFile>> file =
        Combinators.combine(
                members,
                Arbitraries.of(true, false),
                Arbitraries.of(true, false),
                Arbitraries.of("E08000026", "E08000025"))
            .as(
                (m, open, exists, area) ->
                    exists
                        ? Optional.of(
                            new CaseFile("CASE-P", area, open, m, Instant.EPOCH, Instant.EPOCH))
                        : Optional.<CaseFile>empty());
    return Combinators.combine(
            file,
            Arbitraries.of(List.copyOf(TYPES)),
            Arbitraries.of(IDS),
            Arbitraries.subsetOf(IDS).map(s -> List.copyOf(new TreeSet<>(s))),
            Arbitraries.of(Priority.values()),
            Arbitraries.of(
                "dropped-out",
                "excluded",
                "completed",
                "missed-not-notified",
                "attended",
                "high-risk"))
        .as((f, t, s, r, p, k) -> new Situation(f.orElse(null), t, s, r, p, k));
  }

  private static Envelope envelope(Situation s) {
    return new Envelope(
        UUID.randomUUID(),
        s.type(),
        1,
        "CASE-P",
        "E08000026",
        Instant.now(),
        s.priority(),
        s.recipients(),
        LegalBasis.CONSENT,
        List.of());
  }

  private static ObjectNode message(Situation s) {
    ObjectNode m = MAPPER.createObjectNode();
    ObjectNode p = m.putObject("payload");
    switch (s.payloadKind()) {
      case "missed-not-notified" -> p.put("status", "missed").put("absenceReason", "not-notified");
      case "attended" -> p.put("status", "attended");
      case "high-risk" -> p.put("riskLevel", "high"); // routing.yaml's risk-disclosure rule
      default -> p.put("exitType", s.payloadKind());
    }
    return m;
  }

  /** The area routing.yaml's rules add agencies of, for the situation. */
  private static String ruleArea(Situation s) {
    CaseFile f = s.file();
    boolean ties =
        f != null
            && (f.open() || s.type().equals("referral"))
            && f.isMember(s.sender()); // to a non-member the case does not exist (ADR 0011)
    return ties ? f.area() : "E08000026";
  }

  private static boolean isProgramme(String id) {
    return AGENCIES.find(id).orElseThrow().type().name().equals(CaseRole.PROGRAMME_TYPE);
  }

  @Property(tries = 500)
  void caseRoutingNeverGoesPastWhatTheTypeAllowsNorTellsANonMemberOfTheCase(
      @ForAll("situations") Situation s) {
    Router withCase = new Router(AGENCIES, POLICY, ref -> Optional.ofNullable(s.file()));
    Router without = new Router(AGENCIES, POLICY, ref -> Optional.empty());
    Envelope e = envelope(s);
    List<RecipientOutcome> routed = withCase.route(e, message(s), s.sender(), ReferralHistory.NONE);
    Set<String> subscribed = new TreeSet<>();
    for (Subscription sub : POLICY.subscriptions()) {
      if (sub.matches(e)) {
        subscribed.add(sub.agency());
      }
    }
    Map<String, CaseRole> members = s.file() == null ? Map.of() : s.file().members();
    for (RecipientOutcome o : routed) {
      assertFalse(o.agencyId().equals(s.sender()), "the sender never receives its own message");
      if (o instanceof RecipientOutcome.Deliver d) {
        // never past what routing.yaml lets the agency's type receive
        assertTrue(POLICY.mayReceive(d.agency().type(), s.type()), () -> d + " for " + s);
        assertTrue(d.agency().active());
        if (isProgramme(d.agencyId())) {
          assertTrue(
              s.recipients().contains(d.agencyId())
                  || subscribed.contains(d.agencyId())
                  || members.containsKey(d.agencyId())
                  || (s.file() == null && s.type().equals("referral")),
              () ->
                  "a programme got a copy it was neither sent, subscribed to nor on the case for: "
                      + s);
        }
        // a case member not named by the sender is there for the case, and says so
        if (d.via().equals(Via.CASE)) {
          assertTrue(members.containsKey(d.agencyId()), () -> d + " " + s);
        }
        // a rule adds agencies of the case's area (the message's without a case it may see)
        if (d.via().ruleName() != null) {
          assertFalse(isProgramme(d.agencyId()), () -> "a rule added a programme: " + d + s);
          assertTrue(d.agency().areas().contains(ruleArea(s)), () -> d + " " + s);
        }
        // raised priority is a flag on the copy, and only a partner-support member's
        assertEquals(
            d.raisedPriority(), d.flags().contains(RecipientOutcome.Deliver.RAISED_PRIORITY));
        if (d.raisedPriority()) {
          assertEquals(CaseRole.PARTNER_SUPPORT, members.get(d.agencyId()), () -> d + " " + s);
          assertTrue(s.file().open() || s.type().equals("referral"));
          assertTrue(Set.of("attendance", "programme-exit").contains(s.type()));
        }
      }
    }
    if (!members.containsKey(s.sender())) {
      assertEquals(
          without.route(e, message(s), s.sender(), ReferralHistory.NONE),
          routed,
          () -> "a non-member's routing shows the case: " + s);
    }
    if (s.file() != null && !s.file().open() && !s.type().equals("referral")) {
      assertEquals(
          without.route(e, message(s), s.sender(), ReferralHistory.NONE),
          routed,
          "a closed case ties nothing");
    }
  }
}
