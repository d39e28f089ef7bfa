package org.safehub.ingress;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.safehub.config.SafehubConfig;
import org.safehub.problem.HubProblem;
import org.safehub.problem.Violation;

/**
 * Splits a batch publish body, a JSON array of messages, into the bytes of each message, without
 * building any tree: each message is then parsed and checked on its own, exactly as a single
 * publish would be, so one malformed message is refused alone. Only a body that cannot be split
 * (not an array, broken JSON between or inside the messages, nesting beyond the single-message
 * limit, more messages than allowed) is refused whole; counting stops at the first message too
 * many.
 */
@Singleton
public final class BatchBody {

  private final JsonFactory factory;
  private final int maxMessages;
  private final int maxBytes;

  @Inject
  public BatchBody(SafehubConfig config) {
    this(
        config.ingress().maxBatchBytes(),
        config.ingress().maxBatchMessages(),
        config.ingress().maxNestingDepth());
  }

  /** {@code maxNestingDepth} is one message's: the array adds one level. */
  public BatchBody(int maxBytes, int maxMessages, int maxNestingDepth) {
    this.maxBytes = maxBytes;
    this.maxMessages = maxMessages;
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(maxNestingDepth + 1)
                    .maxDocumentLength(maxBytes)
                    .maxStringLength(maxBytes)
                    .maxNumberLength(maxBytes)
                    .build())
            .build();
  }

  /** One message of the batch: its bytes, or null when the element is not a JSON object. */
  public record Item(byte[] body) {}

  /** The messages of {@code body}, in order, or the refusal of the whole batch. */
  public List<Item> split(byte[] body) {
    if (body.length > maxBytes) {
      throw HubProblem.of(
          413,
          "payload-too-large",
          "Batch too large",
          "The batch is larger than " + maxBytes + " bytes.");
    }
    List<Item> items = new ArrayList<>();
    try (JsonParser p = factory.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw malformed("The body must be a JSON array of messages.");
      }
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw malformed("The array of messages is not closed.");
        }
        if (items.size() == maxMessages) {
          throw HubProblem.of(
              413,
              "too-many-messages",
              "Batch too large",
              "A batch holds at most " + maxMessages + " messages.");
        }
        if (t == JsonToken.START_OBJECT) {
          int from = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          int to = (int) p.currentLocation().getByteOffset();
          items.add(new Item(Arrays.copyOfRange(body, from, to)));
        } else {
          p.skipChildren();
          items.add(new Item(null));
        }
      }
      if (p.nextToken() != null) {
        throw malformed("Nothing may follow the array of messages.");
      }
    } catch (StreamConstraintsException e) {
      throw new HubProblem(
          400,
          "limit-exceeded",
          "Message exceeds a size limit",
          "The batch nests deeper than a message may.",
          List.of(new Violation("", "limit", "nesting too deep")),
          null);
    } catch (IOException e) {
      throw malformed("The body is not well-formed JSON.");
    }
    if (items.isEmpty()) {
      throw HubProblem.of(400, "empty-batch", "Empty batch", "The batch holds no messages.");
    }
    return items;
  }

  private static HubProblem malformed(String detail) {
    return new HubProblem(
        400,
        "malformed-json",
        "Malformed JSON",
        detail,
        List.of(new Violation("", "syntax", detail)),
        null);
  }
}
