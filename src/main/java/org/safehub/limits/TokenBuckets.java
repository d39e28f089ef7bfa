package org.safehub.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One token bucket per key (an agency, a source address) in a bounded cache. A bucket left alone
 * long enough to refill completely is dropped, since a new one is the same; past the size bound the
 * least recently used go first, so a flood from many addresses costs bounded memory.
 */
public final class TokenBuckets {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final Cache<String, Bucket> buckets;
  private final double tokensPerNano;
  private final double capacity;
  private final LongSupplier nanoTime;

  /**
   * @param perSecond tokens added per second
   * @param burst bucket size
   * @param maxKeys most buckets kept at once
   * @param nanoTime the clock ({@code System::nanoTime} outside tests)
   */
  public TokenBuckets(int perSecond, int burst, int maxKeys, LongSupplier nanoTime) {
    if (perSecond < 1 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and key bound must be positive");
    }
    this.tokensPerNano = perSecond / (double) NANOS_PER_SECOND;
    this.capacity = burst;
    this.nanoTime = nanoTime;
    long refillNanos = (long) Math.ceil(burst / tokensPerNano);
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .expireAfterAccess(Duration.ofNanos(Math.max(refillNanos, NANOS_PER_SECOND)))
            .ticker(nanoTime::getAsLong)
            .executor(Runnable::run)
            .build();
  }

  /**
   * Takes one token for {@code key}: 0 when there was one, else the nanoseconds until there will
   * be.
   */
  public long take(String key) {
    return take(key, 1);
  }

  /**
   * Takes {@code n} tokens for {@code key} at once, or none: 0 when there were enough, else the
   * nanoseconds until there will be (for more than the burst, until the bucket is full: such a
   * request is never served).
   */
  public long take(String key, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("take at least one token");
    }
    long now = nanoTime.getAsLong();
    Bucket b = buckets.get(key, k -> new Bucket(capacity, now));
    synchronized (b) {
      b.tokens = Math.min(capacity, b.tokens + (now - b.at) * tokensPerNano);
      b.at = now;
      if (b.tokens >= n) {
        b.tokens -= n;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((Math.min(n, capacity) - b.tokens) / tokensPerNano));
    }
  }

  /** Buckets held now (after pending evictions): for tests of the memory bound. */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  /** Whole seconds to wait, at least one: the form of a Retry-After header. */
  public static int retryAfterSeconds(long nanos) {
    return (int)
        Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND));
  }

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }
}
