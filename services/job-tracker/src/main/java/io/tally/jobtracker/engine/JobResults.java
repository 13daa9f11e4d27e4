package io.tally.jobtracker.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.common.artifacts.ArtifactStore;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a job's result goes: inline on its status and completion when it fits the inline limit, otherwise into the
 * artifact store as {@code results/<jobId>.json}, with only the reference on the events. The write happens inside
 * the engine's processing (a side effect outside the Kafka transaction); it is safe to repeat, because a reprocessed
 * end writes the same bytes under the same key, atomically (ADR 0019).
 */
final class JobResults {

    /** Where results by reference are kept in the artifact store: {@code results/<jobId>.json}. */
    static final String PREFIX = "results/";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(JobResults.class);

    private final ArtifactStore artifacts;
    private final long inlineLimit;

    JobResults(ArtifactStore artifacts, long inlineLimit) {
        this.artifacts = artifacts;
        this.inlineLimit = inlineLimit;
    }

    /** A result as it goes on the events: exactly one of the two is set. */
    record Stored(String inline, String reference) {
    }

    Stored store(String jobId, JsonNode result) {
        String json;
        try {
            json = JSON.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result built from JSON outputs is JSON", e);
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= inlineLimit) {
            return new Stored(json, null);
        }
        try {
            return new Stored(null, artifacts.put(key(jobId), bytes).toString());
        } catch (RuntimeException e) {
            // The job still ends once; the API shows it without a result. Throwing would skip the end altogether.
            LOG.warn("Job {}: its result ({} bytes) could not be stored in the artifact store, so it ends without one: {}",
                    jobId, bytes.length, e.getMessage());
            return new Stored(null, null);
        }
    }

    /** The artifact key of a job's result by reference. */
    static String key(String jobId) {
        return PREFIX + jobId + ".json";
    }
}
