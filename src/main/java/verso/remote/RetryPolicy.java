package verso.remote;

import java.time.Duration;

/**
 * How often and how long to retry: exponential backoff from {@code initialDelay}, doubling up to
 * {@code maxDelay}, for at most {@code maxAttempts} attempts and {@code maxTotal} in all.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxTotal) {
    /** About 4 s of waiting over 5 attempts: rides out a restart or a throttling burst, and still fails fast. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(5, Duration.ofMillis(250), Duration.ofSeconds(4), Duration.ofSeconds(30));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1 || initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0
                || maxTotal.isNegative()) {
            throw new IllegalArgumentException("invalid retry policy: " + maxAttempts + " attempts, delays "
                    + initialDelay + ".." + maxDelay + ", total " + maxTotal);
        }
    }

    /**
     * The wait after failed attempt {@code attempt} (1-based): the exponential delay, half of it fixed and
     * half drawn by {@code random} in [0, 1), so that many clients failing together do not retry together.
     */
    public Duration delay(int attempt, double random) {
        long base = initialDelay.toNanos();
        long cap = maxDelay.toNanos();
        long exponential = base;
        for (int i = 1; i < attempt && exponential < cap; i++) {
            exponential *= 2;
        }
        exponential = Math.min(exponential, cap);
        long half = exponential / 2;
        return Duration.ofNanos(half + (long) (random * (exponential - half)));
    }
}
