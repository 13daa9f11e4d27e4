package io.tally.jobsapi.runs;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.TreeMap;

/**
 * Body of {@code POST /api/pipelines/{pipeline}/runs}; the whole body is optional.
 *
 * @param parameters run parameters handed to the pipeline, such as {@code date=2024-08-12}
 */
public record RunRequest(
        @Size(max = 50) Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 1000) String> parameters) {

    /** The parameters, never null, sorted by name (so the request hash does not depend on JSON key order). */
    public Map<String, String> sortedParameters() {
        return parameters == null ? new TreeMap<>() : new TreeMap<>(parameters);
    }
}
