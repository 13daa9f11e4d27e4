package io.tally.common.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * Derives a job's id from the trigger that starts it, so the same trigger always means the same job: a redelivered
 * trigger cannot start a second job, and every stage can report against the job before the tracker has seen it.
 */
public final class JobIds {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

    private JobIds() {
    }

    /**
     * A readable, deterministic job id: {@code <pipeline>-<yyyyMMdd-HHmm UTC>-<8 hex of sha256(triggerId)>}.
     *
     * @param pipeline  the pipeline name
     * @param at        the schedule instant, or the trigger time of a manual run
     * @param triggerId the trigger's id
     */
    public static String forTrigger(String pipeline, Instant at, String triggerId) {
        return pipeline + "-" + MINUTE.format(at) + "-" + sha256Hex(triggerId).substring(0, 8);
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
