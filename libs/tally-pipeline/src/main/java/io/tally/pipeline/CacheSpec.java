package io.tally.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pipeline's result cache: a run whose key parameters equal those of a COMPLETED job of the same definition version
 * that ended less than {@code ttl} ago reuses that job's result and runs no stage.
 *
 * @param ttl how long after a job's end its result may be reused
 * @param key the parameters the cache key is made of, or empty for all of the definition's parameters
 */
public record CacheSpec(Duration ttl, List<String> key) {

    public CacheSpec {
        key = List.copyOf(key);
    }

    /**
     * The key parameters of a run, by name in canonical (sorted) order: the declared key, or every parameter when the
     * key is empty, with the values the run resolved (defaults applied), so leaving out a default and giving it
     * explicitly are the same key.
     */
    public Map<String, String> keyParameters(Map<String, String> resolved) {
        Map<String, String> canonical = new TreeMap<>();
        resolved.forEach((name, value) -> {
            if (key.isEmpty() || key.contains(name)) {
                canonical.put(name, value);
            }
        });
        return canonical;
    }
}
