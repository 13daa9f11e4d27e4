package io.tally.jobsapi.admin;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Confirmation tokens of {@code POST /api/admin/factory-reset}: one per caller, random, valid for {@link #TTL} and
 * used at most once, so a reset always takes two deliberate calls by the same caller. Known gap: tokens live in this
 * instance's memory, so with several API replicas both calls must reach the same one (a sticky session, or one
 * admin replica); a token asked from another replica answers "wrong or expired token".
 */
@Component
public class ResetTokens {

    /** How long a token stays valid. */
    public static final Duration TTL = Duration.ofSeconds(60);

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    private final Clock clock;

    public ResetTokens() {
        this(Clock.systemUTC());
    }

    ResetTokens(Clock clock) {
        this.clock = clock;
    }

    private record Issued(String token, Instant expiresAt) {
    }

    /** A new token for {@code caller}, replacing any earlier one. */
    public String issue(String caller) {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        issued.put(caller, new Issued(token, clock.instant().plus(TTL)));
        return token;
    }

    /** Whether {@code token} is {@code caller}'s current, unexpired token; it is used up either way when it matches. */
    public boolean redeem(String caller, String token) {
        Issued current = issued.get(caller);
        if (current == null || token == null || !current.token().equals(token)) {
            return false;
        }
        issued.remove(caller, current);
        return clock.instant().isBefore(current.expiresAt());
    }
}
