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
 * The message mix: four kinds of message whose routing (deploy/config/routing.yaml) gives 2, 3, 3
 * and 4 copies - three on average - each in {@link #SIZE_STEPS} body sizes spread evenly over the
 * configured range. Bodies are the first valid example of their type from schemas/, with a
 * non-consent legal basis whose justification pads the body to its size, rendered once; each
 * message gets a fresh messageId written into a copy of the rendered bytes.
 */
public final class MessageMix {

  /**
   * The demo agencies, in agencies.yaml order; a recipient's index here is its bit in a recipient
   * mask.
   */
  public static final List<String> AGENCIES =
      List.of("demo-dvpp", "demo-iss", "demo-cs", "demo-mash", "demo-marac");

  static final int SIZE_STEPS = 8;
  private static final String PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";
  private static final String JUSTIFICATION =
      "Benchmark share: the adult at risk would be put at greater risk by seeking consent; sharing is necessary and"
          + " proportionate to protect her and her children (DPA 2018 Sch 1 para 18). ";

  /** One kind of message: who sends it and who the routing configuration gives a copy to. */
  public record Kind(
      String name, String type, String sender, String priority, List<String> recipients) {
    public int recipientMask() {
      return mask(recipients);
    }
  }

  public static final List<Kind> KINDS =
      List.of(
          new Kind(
              "attendance dvpp->iss,cs",
              "attendance",
              "demo-dvpp",
              "routine",
              List.of("demo-iss", "demo-cs")),
          new Kind(
              "programme-exit dvpp->iss,cs,marac",
              "programme-exit",
              "demo-dvpp",
              "routine",
              List.of("demo-iss", "demo-cs", "demo-marac")),
          new Kind(
              "risk-disclosure iss->dvpp,cs,mash",
              "risk-disclosure",
              "demo-iss",
              "urgent",
              List.of("demo-dvpp", "demo-cs", "demo-mash")),
          new Kind(
              "risk-disclosure marac->dvpp,iss,cs,mash",
              "risk-disclosure",
              "demo-marac",
              "urgent",
              List.of("demo-dvpp", "demo-iss", "demo-cs", "demo-mash")));

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
        byte[] body = render(mapper, schemasDir, kind, sizes[s]);
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

  private static byte[] render(ObjectMapper mapper, Path schemasDir, Kind kind, int targetBytes) {
    ObjectNode message =
        firstValidExample(mapper, schemasDir.resolve(kind.type()).resolve("examples"));
    message.put("messageId", PLACEHOLDER_ID);
    message.remove("recipients");
    message.put("priority", kind.priority());
    message.put("area", "E08000026");
    ObjectNode basis = message.putObject("legalBasis");
    basis.put("basis", "safeguarding-adult-at-risk");
    basis.put("justification", JUSTIFICATION.strip());
    byte[] bare = write(mapper, message);
    int missing = targetBytes - bare.length;
    if (missing > 0) {
      StringBuilder text = new StringBuilder(JUSTIFICATION.strip());
      while (text.length() < JUSTIFICATION.strip().length() + missing) {
        text.append(' ').append(JUSTIFICATION.strip());
      }
      text.setLength(JUSTIFICATION.strip().length() + missing);
      basis.put("justification", text.toString().strip() + ".");
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
