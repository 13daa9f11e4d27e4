package io.tally.jobtracker.engine;

import io.tally.common.jobs.JobIds;
import io.tally.events.CachedResult;
import io.tally.pipeline.CacheSpec;
import io.tally.pipeline.PipelineDefinition;
import java.util.Map;

/**
 * The result cache's key and freshness rules (ADR 0019). A key is {@code <pipeline>@<version>#<sha-256>} over the key
 * parameters in canonical order, defaults applied: another definition version may build another result, so it has
 * other entries, and the hash keeps long parameter values (a URL) out of the key's length.
 */
final class ResultCache {

    private ResultCache() {
    }

    /** The cache key of a run of {@code definition} with {@code resolved} parameters (defaults applied). */
    static String key(PipelineDefinition definition, Map<String, String> resolved) {
        StringBuilder text = new StringBuilder();
        definition.cache().keyParameters(resolved).forEach((name, value) ->
                text.append(name.length()).append(':').append(name).append('=').append(value.length()).append(':')
                        .append(value).append('\n'));
        return definition.name() + "@" + definition.version() + "#" + JobIds.sha256Hex(text.toString());
    }

    /** Whether an entry may still be reused at {@code now} under the definition's current ttl. */
    static boolean fresh(CachedResult entry, CacheSpec cache, long now) {
        return entry.getCompletedAt().toEpochMilli() + cache.ttl().toMillis() > now;
    }
}
