package io.tally.tracksearch;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.topics.Topics;
import io.tally.events.ItemOutcome;
import io.tally.events.ItemProcessed;
import io.tally.events.TrackResolution;
import io.tally.events.TrackResolved;
import io.tally.events.TrackSearchRequested;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicHeaders;

/**
 * Consumes search requests, asks the adapter, and writes the track's row in the tracks table before the job item
 * (so whoever sees the item done can read the track). Failures go through the retry topics configured in
 * {@link TrackSearchConfiguration}; the dead-letter handler {@link #onDeadLetter} then records the track as FAILED
 * and the item as FAILED, so the job still completes. Outputs are at-least-once: a redelivered request rewrites the
 * same resolution, and the job tracker counts each (jobId, trackKey) once.
 */
public class TrackSearchWorker {

    /** Listener id of the main endpoint; retry and DLT endpoints derive theirs from it. */
    public static final String LISTENER_ID = "track-search";
    /** Bean and method name of the dead-letter handler, for the retry topic configuration. */
    public static final String BEAN_NAME = "trackSearchWorker";
    public static final String DLT_METHOD = "onDeadLetter";

    private static final Logger LOG = LoggerFactory.getLogger(TrackSearchWorker.class);
    private static final String LISTENER_EXCEPTION_PREFIX = "Listener method";

    private final TrackSearchAdapter adapter;
    private final String source;
    private final KafkaTemplate<String, Object> template;
    private final SearchMetrics metrics;
    private final SearchProperties properties;
    private final Clock clock;

    TrackSearchWorker(TrackSearchAdapter adapter, String source, KafkaTemplate<String, Object> template,
                      SearchMetrics metrics, SearchProperties properties, Clock clock) {
        this.adapter = adapter;
        this.source = source;
        this.template = template;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = clock;
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, groupId = "${spring.kafka.consumer.group-id}",
            topics = "#{T(io.tally.common.topics.Topics).SEARCH_REQUESTS.name()}")
    public void onRequest(ConsumerRecord<String, TrackSearchRequested> record) {
        TrackSearchRequested request = validated(record);
        int attempt = deliveryAttempt(record.headers());
        SearchResult result = SearchTrackHandler.search(adapter, request, attempt, metrics, properties);
        if (result.isFound()) {
            publish(resolved(request, TrackResolution.FOUND, result, null),
                    item(request, ItemOutcome.SUCCEEDED, attempt, null));
            metrics.found();
        } else {
            String reason = "no video found for " + String.join(", ", request.getArtists()) + " - " + request.getTitle();
            publish(resolved(request, TrackResolution.NOT_FOUND, result, null),
                    item(request, ItemOutcome.SKIPPED, attempt, reason));
            metrics.notFound();
        }
    }

    /**
     * Handles every record that reaches the dead-letter topic with a readable request: the track becomes FAILED and
     * the item FAILED with the reason and the number of attempts made, so the job is not left waiting. Records that
     * cannot be read never get here (the container logs them), and neither do requests without a job id.
     */
    public void onDeadLetter(ConsumerRecord<String, Object> record) {
        if (!(record.value() instanceof TrackSearchRequested request) || isBlank(request.getJobId())
                || isBlank(request.getTrackKey())) {
            metrics.poison();
            LOG.warn("Dead-lettered record at {}-{}@{} has no usable search request: {}", record.topic(),
                    record.partition(), record.offset(), DeadLetterHeaders.reason(record.headers()));
            return;
        }
        String reason = reason(record.headers());
        // The DLT record carries the attempt number it would have had next; the attempts made are one fewer.
        int attempts = Math.max(1, attemptHeader(record.headers()) - 1);
        LOG.warn("Search for track {} of job {} failed after {} attempt(s): {}", request.getTrackKey(),
                request.getJobId(), attempts, reason);
        publish(resolved(request, TrackResolution.FAILED, SearchResult.notFound(), reason),
                item(request, ItemOutcome.FAILED, attempts, reason));
        metrics.failed();
    }

    private TrackSearchRequested validated(ConsumerRecord<String, TrackSearchRequested> record) {
        TrackSearchRequested request = record.value();
        if (request == null) {
            throw new PoisonRecordException("Search request at offset " + record.offset() + " has no value (tombstone)");
        }
        if (isBlank(request.getJobId()) || isBlank(request.getTrackKey()) || isBlank(request.getTitle())) {
            throw new PoisonRecordException("Search request needs a jobId, a trackKey and a title; got jobId='%s', trackKey='%s', title='%s'"
                    .formatted(request.getJobId(), request.getTrackKey(), request.getTitle()));
        }
        if (!Objects.equals(record.key(), request.getTrackKey())) {
            throw new PoisonRecordException("Search request key '%s' differs from its trackKey '%s'"
                    .formatted(record.key(), request.getTrackKey()));
        }
        return request;
    }

    private void publish(TrackResolved resolved, ItemProcessed item) {
        // The track row first: once the item counts, the playlist step reads the tracks table.
        send(Topics.TRACKS.name(), resolved.getTrackKey(), resolved);
        send(Topics.ITEM_PROCESSED.name(), item.getJobId(), item);
    }

    private void send(String topic, String key, Object value) {
        try {
            template.send(topic, key, value).get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write to " + topic + ": " + e.getMessage(), e);
        }
    }

    private TrackResolved resolved(TrackSearchRequested request, TrackResolution resolution, SearchResult result,
                                   String error) {
        return SearchTrackHandler.resolved(request, resolution, result, error, source, clock.instant());
    }

    private ItemProcessed item(TrackSearchRequested request, ItemOutcome outcome, int attempt, String error) {
        return ItemProcessed.newBuilder()
                .setJobId(request.getJobId())
                .setItemId(request.getTrackKey())
                .setOutcome(outcome)
                .setAttempt(attempt)
                .setError(error)
                .setProcessedAt(clock.instant())
                .build();
    }

    /** The delivery attempt across the retry topics: 1 on the main topic, then Spring's attempts header. */
    static int deliveryAttempt(Headers headers) {
        return Math.max(1, attemptHeader(headers));
    }

    private static int attemptHeader(Headers headers) {
        Header header = headers.lastHeader(RetryTopicHeaders.DEFAULT_HEADER_ATTEMPTS);
        if (header == null || header.value() == null) {
            return 1;
        }
        byte[] value = header.value();
        if (value.length == Integer.BYTES) {
            return ByteBuffer.wrap(value).getInt();
        }
        // Older Spring Kafka versions wrote one byte.
        return value.length == 1 ? Byte.toUnsignedInt(value[0]) : 1;
    }

    /** The reason Spring wrote on the dead letter, without the "Listener method ... threw exception; " wrapper. */
    static String reason(Headers headers) {
        String reason = DeadLetterHeaders.reason(headers);
        if (reason == null) {
            return "dead-lettered without a reason";
        }
        int split = reason.indexOf("; ");
        return reason.startsWith(LISTENER_EXCEPTION_PREFIX) && split > 0 ? reason.substring(split + 2) : reason;
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
