package org.safehub.ingress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.safehub.problem.HubProblem;

/** Splitting a batch body into its messages, and what a batch that cannot be split costs. */
class BatchBodyTest {

  private final BatchBody batches = new BatchBody(4 * 1024 * 1024, 500, 64);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void eachMessageIsItsOwnBytesExactlyAsSentAndANonObjectIsMarked() {
    List<BatchBody.Item> items =
        batches.split(utf8(" [ {\"a\": [1, {\"b\": \"é\"}]} ,{\"a\":1,\"a\":2}, 7, [1], \"x\" ] "));
    assertEquals(5, items.size());
    assertArrayEquals(utf8("{\"a\": [1, {\"b\": \"é\"}]}"), items.get(0).body());
    // a duplicate key is not the splitter's business: that message's own strict parse refuses it
    assertArrayEquals(utf8("{\"a\":1,\"a\":2}"), items.get(1).body());
    assertNull(items.get(2).body());
    assertNull(items.get(3).body());
    assertNull(items.get(4).body());
  }

  @Test
  void aBodyOverTheLimitIsRefusedBeforeOneByteOfItIsParsed() {
    byte[] body = new byte[4 * 1024 * 1024 + 1];
    // not JSON at all: a 413, not a 400, shows it was never parsed
    HubProblem p = assertThrows(HubProblem.class, () -> batches.split(body));
    assertEquals(413, p.status());
    assertEquals("payload-too-large", p.code());
  }

  @Test
  void countingStopsAtTheFirstMessageTooManyWhateverFollows() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 501; i++) {
      b.append("{},");
    }
    // broken JSON after message 501: a 413, not a 400, shows the rest was never read
    b.append("{\"unterminated");
    HubProblem p = assertThrows(HubProblem.class, () -> batches.split(utf8(b.toString())));
    assertEquals(413, p.status());
    assertEquals("too-many-messages", p.code());
  }

  @Test
  void fiveHundredMessagesAreAccepted() {
    StringBuilder b = new StringBuilder("[{}");
    for (int i = 1; i < 500; i++) {
      b.append(",{}");
    }
    assertEquals(500, batches.split(utf8(b.append("]").toString())).size());
  }

  @Test
  void aBodyThatIsNotAnArrayOrIsBrokenOrEmptyIsRefusedWhole() {
    for (String body : List.of("{}", "", "[{}", "[{}] {}", "[{},]", "[{\"a\" 1}]", "[]")) {
      HubProblem p = assertThrows(HubProblem.class, () -> batches.split(utf8(body)), body);
      assertEquals(400, p.status(), body);
    }
  }

  @Test
  void nestingDeeperThanAMessageMayIsRefusedWithoutBuildingAnything() {
    String deep = "[" + "[".repeat(70) + "]".repeat(70) + "]";
    HubProblem p = assertThrows(HubProblem.class, () -> batches.split(utf8(deep)));
    assertEquals("limit-exceeded", p.code());
  }
}
