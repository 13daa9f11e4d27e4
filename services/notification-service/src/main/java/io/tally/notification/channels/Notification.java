package io.tally.notification.channels;

import java.util.Map;

/**
 * One message to send, the same for every channel.
 *
 * @param id      deterministic notification id ({@code completed:<jobId>}, ...): the dedupe key, the email
 *                {@code Message-ID} and the webhook {@code Idempotency-Key}
 * @param kind    what happened, as in {@code NotificationSent.kind}
 * @param jobId   the job, or null for a dead letter
 * @param subject one-line title
 * @param body    plain-text details
 * @param fields  the structured details for the webhook's JSON (insertion-ordered)
 */
public record Notification(String id, String kind, String jobId, String subject, String body, Map<String, Object> fields) {
}
