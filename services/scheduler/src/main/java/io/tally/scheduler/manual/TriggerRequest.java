package io.tally.scheduler.manual;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;

/**
 * Body of {@code POST /api/triggers}.
 *
 * @param pipeline   the pipeline to run, such as {@code beatport-chart}
 * @param parameters run parameters, such as {@code date=2026-01-25}; optional
 */
public record TriggerRequest(
        @NotBlank @Size(max = 200) String pipeline,
        Map<@NotBlank String, @NotNull String> parameters) {

    public TriggerRequest {
        parameters = parameters == null ? Map.of() : parameters;
    }
}
