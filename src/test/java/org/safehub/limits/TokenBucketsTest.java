package org.safehub.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void aBurstIsServedThenTheRateAndTheWaitIsSaid() {
    // Given 10 per second with a burst of 5
    TokenBuckets buckets = new TokenBuckets(10, 5, 100, now::get);
    // When 5 come at once, then a sixth
    for (int i = 0; i < 5; i++) {
      assertEquals(0, buckets.take("a"));
    }
    long wait = buckets.take("a");
    // Then the sixth waits a tenth of a second, rounded up to one whole second for Retry-After
    assertEquals(100_000_000L, wait);
    assertEquals(1, TokenBuckets.retryAfterSeconds(wait));
    // and another key has its own bucket
    assertEquals(0, buckets.take("b"));
    // and after a tenth of a second one more is served
    now.addAndGet(100_000_000L);
    assertEquals(0, buckets.take("a"));
    assertTrue(buckets.take("a") > 0);
  }

  @Test
  void manyTokensAreTakenAllOrNone() {
    // Given 10 per second with a burst of 5
    TokenBuckets buckets = new TokenBuckets(10, 5, 100, now::get);
    // When 3 are taken at once, 3 more cannot be: none is taken, and the wait is for the missing
    // one
    assertEquals(0, buckets.take("a", 3));
    assertEquals(100_000_000L, buckets.take("a", 3));
    // Then the 2 left are still there
    assertEquals(0, buckets.take("a", 2));
    // and more than the burst is never served: the wait is until the bucket is full
    assertEquals(500_000_000L, buckets.take("a", 6));
  }

  @Test
  void aFloodFromManyKeysHoldsAtMostTheBoundOfBuckets() {
    TokenBuckets buckets = new TokenBuckets(1, 1, 1_000, now::get);
    for (int i = 0; i < 50_000; i++) {
      buckets.take("10.0." + (i >> 8) + "." + (i & 255));
    }
    assertTrue(buckets.size() <= 1_000, "buckets held: " + buckets.size());
  }
}
