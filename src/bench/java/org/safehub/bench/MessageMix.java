package org.safehub.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The message mix: kinds of message whose routing (deploy/config/routing.yaml), consent and, with
 * {@code -Dbench.mix.cases=true}, cases and rules give each its expected recipients, each in {@link
 * #SIZE_STEPS} body sizes spread evenly over the configured range. Bodies are the first valid
 * example of their type from schemas/, padded to their size in the payload's own free-text field (a
 * note, a reason, a concern), never in the justification; a justification, where the basis needs
 * one, is 100-400 characters, as real ones are. Rendered once; each message gets a fresh messageId
 * written into a copy of the rendered bytes.
 *
 * <p>The base mix has six kinds: attendance, a programme exit, two risk disclosures, a
 * child-protection alert, and a consent-based risk disclosure about a victim who has consented to
 * Children's Services and MASH only, so the consent gate looks her up and withholds the perpetrator
 * programme's copy ({@link #setup} records her consent first). The case part ({@link #CASE_KINDS},
 * left out with {@code -Dbench.mix.cases=false}) uses cases and risk rules (issue 12).
 */
public final class MessageMix {

  /**
   * The agencies copies can go to; a recipient's index here is its bit in a recipient mask.
   * demo2-iss, of the other area, is the victim's own support worker on the benchmark's case.
   */
  public static final List<String> AGENCIES =
      List.of("demo-dvpp", "demo-iss", "demo-cs", "demo-mash", "demo-marac", "demo2-iss");

  static final int SIZE_STEPS = 8;
  private static final String PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";
  private static final String JUSTIFICATION =
      "The adult at risk would be put at greater risk by seeking consent; sharing is necessary and"
          + " proportionate to protect her and her children (DPA 2018 Sch 1 para 18). The worker"
          + " discussed it with her manager on the day, who agreed; the risk assessment is on file and"
          + " will be reviewed at the next multi-agency meeting, or sooner if anything changes. The"
          + " recipients were told only what they need to act on.";
  private static final String FREE_TEXT =
      "Worker's note: contact made as planned; the client engaged and spoke about the week, the"
          + " arrangements for the children and the support offered; no new concerns beyond those"
          + " already recorded; next contact agreed.";

  /** The victim of the consent-based kind: she consents to Children's Services and MASH only. */
  static final String CONSENTING_VICTIM = "SUBJ-BENCH-V-0001";

  /** The benchmark's case (the case part): its victim's worker is demo2-iss, in the other area. */
  static final String CASE_REF = "CASE-BENCH-0001";

  /**
   * Whether the mix includes the case part: messages on a case, with case-member routing and a risk
   * rule firing (on unless {@code -Dbench.mix.cases=false}).
   */
  public static final boolean CASES =
      Boolean.parseBoolean(System.getProperty("bench.mix.cases", "true"));

  /**
   * One kind of message: who sends it, in which free-text field it is padded, on what basis, and
   * who must receive a copy (the routing check fails the run if any other agency gets one).
   */
  public record Kind(
      String name,
      String type,
      String sender,
      String priority,
      String freeText,
      String basis,
      List<String> recipients,
      java.util.function.Consumer<ObjectNode> adjust) {
    public int recipientMask() {
      return mask(recipients);
    }
  }

  private static final java.util.function.Consumer<ObjectNode> AS_IS = m -> {};

  /** The base mix: routing by standing subscriptions, consent, the safety guard. */
  static final List<Kind> BASE_KINDS =
      List.of(
          new Kind(
              "attendance dvpp->iss,cs",
              "attendance",
              "demo-dvpp",
              "routine",
              "note",
              "safeguarding-adult-at-risk",
              List.of("demo-iss", "demo-cs"),
              AS_IS),
          new Kind(
              "programme-exit dvpp->iss,cs,marac",
              "programme-exit",
              "demo-dvpp",
              "routine",
              "reason",
              "safeguarding-adult-at-risk",
              List.of("demo-iss", "demo-cs", "demo-marac"),
              AS_IS),
          new Kind(
              "risk-disclosure iss->dvpp,cs,mash",
              "risk-disclosure",
              "demo-iss",
              "urgent",
              "note",
              "safeguarding-adult-at-risk",
              List.of("demo-dvpp", "demo-cs", "demo-mash"),
              MessageMix::mediumRisk),
          new Kind(
              "risk-disclosure marac->dvpp,iss,cs,mash",
              "risk-disclosure",
              "demo-marac",
              "urgent",
              "note",
              "safeguarding-adult-at-risk",
              List.of("demo-dvpp", "demo-iss", "demo-cs", "demo-mash"),
              MessageMix::mediumRisk),
          new Kind(
              "child-protection-alert dvpp->cs,mash",
              "child-protection-alert",
              "demo-dvpp",
              "urgent",
              "concern",
              "safeguarding-child",
              List.of("demo-cs", "demo-mash"),
              AS_IS),
          new Kind(
              "risk-disclosure iss->cs,mash on consent (dvpp withheld: no consent)",
              "risk-disclosure",
              "demo-iss",
              "urgent",
              "note",
              "consent",
              List.of("demo-cs", "demo-mash"),
              m -> {
                mediumRisk(m);
                onlySubject(m, CONSENTING_VICTIM, "victim");
              }));

  /**
   * The case part (issue 12), on {@link #CASE_REF}, whose members are demo-dvpp (programme),
   * demo2-iss (partner-support) and demo-cs (childrens-services). The expected recipients follow
   * issue 12's text: a case member of an agency type replaces the standing subscriptions of that
   * type; a high-risk disclosure adds the area's MARAC and MASH by rule. If the merged hub routes
   * otherwise, the routing check says so and these lists are to be corrected, not the check.
   */
  static final List<Kind> CASE_KINDS =
      List.of(
          new Kind(
              "programme-exit on a case dvpp->demo2-iss,cs,marac",
              "programme-exit",
              "demo-dvpp",
              "routine",
              "reason",
              "safeguarding-adult-at-risk",
              List.of("demo2-iss", "demo-cs", "demo-marac"),
              m -> m.put("caseRef", CASE_REF)),
          new Kind(
              "high-risk risk-disclosure on a case dvpp->demo2-iss,cs,mash,marac (rule)",
              "risk-disclosure",
              "demo-dvpp",
              "urgent",
              "note",
              "safeguarding-adult-at-risk",
              List.of("demo2-iss", "demo-cs", "demo-mash", "demo-marac"),
              m -> {
                m.put("caseRef", CASE_REF);
                ((ObjectNode) m.get("payload")).put("riskLevel", "high");
              }));

  public static final List<Kind> KINDS = kinds(CASES);

  static List<Kind> kinds(boolean cases) {
    List<Kind> all = new ArrayList<>(BASE_KINDS);
    if (cases) {
      all.addAll(CASE_KINDS);
    }
    return List.copyOf(all);
  }

  /** A request the hub must have answered before the mix is sent (consent, the case). */
  public record Setup(String client, String path, byte[] body, java.util.Set<Integer> ok) {}

  /**
   * What the hub must know first: the consenting victim's consent (a consent-change from her
   * support service, to Children's Services and MASH only), and with the case part the case.
   */
  public static List<Setup> setup(Path schemasDir) {
    ObjectMapper mapper = new ObjectMapper();
    List<Setup> out = new ArrayList<>();
    ObjectNode grant =
        firstValidExample(mapper, schemasDir.resolve("consent-change").resolve("examples"));
    grant.put("messageId", UUID.randomUUID().toString());
    grant.remove("recipients");
    grant.put("area", "E08000026");
    onlySubject(grant, CONSENTING_VICTIM, "victim");
    ObjectNode payload = (ObjectNode) grant.get("payload");
    payload.put("subjectRef", CONSENTING_VICTIM);
    payload.put("change", "granted");
    ObjectNode scope = payload.putObject("scope");
    scope.putArray("agencyTypes").add("childrens-services").add("mash");
    out.add(new Setup("demo-iss", "/api/v1/messages", write(mapper, grant), java.util.Set.of(202)));
    if (CASES) {
      ObjectNode c = mapper.createObjectNode();
      c.put("caseRef", CASE_REF);
      c.put("area", "E08000026");
      com.fasterxml.jackson.databind.node.ArrayNode members = c.putArray("members");
      members.addObject().put("agency", "demo-dvpp").put("role", "programme");
      members.addObject().put("agency", "demo2-iss").put("role", "partner-support");
      members.addObject().put("agency", "demo-cs").put("role", "childrens-services");
      out.add(new Setup("demo-cs", "/api/v1/cases", write(mapper, c), java.util.Set.of(201, 409)));
    }
    return out;
  }

  /** Medium risk: no risk rule fires (issue 12's fires on high), so routing alone decides. */
  private static void mediumRisk(ObjectNode m) {
    ((ObjectNode) m.get("payload")).put("riskLevel", "medium");
  }

  private static void onlySubject(ObjectNode m, String ref, String role) {
    com.fasterxml.jackson.databind.node.ArrayNode subjects = m.putArray("subjects");
    subjects.addObject().put("ref", ref).put("role", role);
  }

  /** One message to send: its id, kind and size step, and the body with that id. */
  public record Message(String id, int kind, int step, byte[] body) {
    public Kind kindInfo() {
      return KINDS.get(kind);
    }
  }

  private final byte[][][] rendered; // [kind][step]
  private final int[][] idOffset; // [kind][step]
  private final int[] sizes;
  private final AtomicLong sequence = new AtomicLong();

  private MessageMix(byte[][][] rendered, int[][] idOffset, int[] sizes) {
    this.rendered = rendered;
    this.idOffset = idOffset;
    this.sizes = sizes;
  }

  /**
   * Renders the mix from the examples under {@code schemasDir}, bodies from {@code minBytes} to
   * {@code maxBytes}.
   */
  public static MessageMix load(Path schemasDir, int minBytes, int maxBytes) {
    ObjectMapper mapper = new ObjectMapper();
    int steps = minBytes == maxBytes ? 1 : SIZE_STEPS;
    int[] sizes = new int[steps];
    for (int s = 0; s < steps; s++) {
      sizes[s] =
          steps == 1 ? minBytes : minBytes + (int) ((long) (maxBytes - minBytes) * s / (steps - 1));
    }
    byte[][][] rendered = new byte[KINDS.size()][steps][];
    int[][] offsets = new int[KINDS.size()][steps];
    for (int k = 0; k < KINDS.size(); k++) {
      Kind kind = KINDS.get(k);
      for (int s = 0; s < steps; s++) {
        byte[] body = render(mapper, schemasDir, kind, s, sizes[s]);
        rendered[k][s] = body;
        offsets[k][s] = indexOf(body, PLACEHOLDER_ID.getBytes(StandardCharsets.US_ASCII));
      }
    }
    return new MessageMix(rendered, offsets, sizes);
  }

  /**
   * The next message: kinds rotate, and sizes rotate across rounds of kinds, so every pairing is
   * equally frequent.
   */
  public Message next() {
    long n = sequence.getAndIncrement();
    int kind = (int) (n % KINDS.size());
    int step = (int) ((n / KINDS.size()) % sizes.length);
    return withId(kind, step, UUID.randomUUID().toString());
  }

  /** The message of a given kind and size step, with {@code id}. */
  public Message withId(int kind, int step, String id) {
    byte[] template = rendered[kind][step];
    byte[] body = template.clone();
    byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(idBytes, 0, body, idOffset[kind][step], idBytes.length);
    return new Message(id, kind, step, body);
  }

  public int steps() {
    return sizes.length;
  }

  public int size(int step) {
    return sizes[step];
  }

  /** Mean body bytes over the mix. */
  public double meanBodyBytes() {
    long total = 0;
    int n = 0;
    for (byte[][] perKind : rendered) {
      for (byte[] body : perKind) {
        total += body.length;
        n++;
      }
    }
    return (double) total / n;
  }

  /** Mean copies per message over the mix. */
  public static double meanCopies() {
    return KINDS.stream().mapToInt(k -> k.recipients().size()).average().orElse(0);
  }

  public static int mask(List<String> agencies) {
    int mask = 0;
    for (String a : agencies) {
      int i = AGENCIES.indexOf(a);
      if (i < 0) {
        throw new IllegalArgumentException("not a demo agency: " + a);
      }
      mask |= 1 << i;
    }
    return mask;
  }

  public static List<String> agenciesOf(int mask) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < AGENCIES.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        out.add(AGENCIES.get(i));
      }
    }
    return out;
  }

  private static byte[] render(
      ObjectMapper mapper, Path schemasDir, Kind kind, int step, int targetBytes) {
    ObjectNode message =
        firstValidExample(mapper, schemasDir.resolve(kind.type()).resolve("examples"));
    message.put("messageId", PLACEHOLDER_ID);
    message.remove("recipients");
    message.put("priority", kind.priority());
    message.put("area", "E08000026");
    ObjectNode basis = message.putObject("legalBasis");
    basis.put("basis", kind.basis());
    if (!"consent".equals(kind.basis())) {
      basis.put("justification", justification(kind, step));
    }
    kind.adjust().accept(message);
    ObjectNode payload = (ObjectNode) message.get("payload");
    payload.put(kind.freeText(), FREE_TEXT.substring(0, 60));
    byte[] bare = write(mapper, message);
    int missing = targetBytes - bare.length;
    if (missing > 0) {
      StringBuilder text = new StringBuilder();
      while (text.length() < 60 + missing) {
        text.append(FREE_TEXT).append(' ');
      }
      text.setLength(60 + missing - 1);
      payload.put(kind.freeText(), text.toString().strip() + ".");
    }
    byte[] body = write(mapper, message);
    if (Math.abs(body.length - targetBytes) > 8 && missing > 0) {
      throw new IllegalStateException(
          "could not pad a "
              + kind.type()
              + " message to "
              + targetBytes
              + " bytes (got "
              + body.length
              + ")");
    }
    return body;
  }

  /** 100-400 characters, different for each kind and size step, as real justifications vary. */
  static String justification(Kind kind, int step) {
    int length = 100 + Math.floorMod(kind.name().hashCode() * 31 + step * 97, 301);
    return JUSTIFICATION.substring(0, length).strip();
  }

  private static ObjectNode firstValidExample(ObjectMapper mapper, Path examples) {
    try (Stream<Path> files = Files.list(examples)) {
      Path first =
          files
              .filter(p -> p.getFileName().toString().startsWith("valid-"))
              .sorted()
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no valid example in " + examples));
      return (ObjectNode) mapper.readTree(first.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the examples in " + examples, e);
    }
  }

  private static byte[] write(ObjectMapper mapper, ObjectNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("placeholder messageId not found in a rendered message");
  }
}
