package io.tally.jobsapi.runs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request hash that decides between "same request again" and "key reused for another request". */
class RunTriggerTest {

    @Test
    void hashesTheSameRequestEquallyWhateverTheParameterOrder() {
        // Given the same parameters in two orders
        Map<String, String> first = new LinkedHashMap<>();
        first.put("date", "2024-08-12");
        first.put("chart", "top-100");
        Map<String, String> second = new LinkedHashMap<>();
        second.put("chart", "top-100");
        second.put("date", "2024-08-12");
        // When they are hashed, Then the hashes are equal
        assertThat(RunTrigger.requestHash("beatport-chart", first)).isEqualTo(RunTrigger.requestHash("beatport-chart", second));
    }

    @Test
    void hashesDifferentPipelinesOrValuesDifferently() {
        // When requests differ in pipeline, value, or in where a name ends and a value begins
        String base = RunTrigger.requestHash("beatport-chart", Map.of("date", "2024-08-12"));
        // Then each hash differs
        assertThat(RunTrigger.requestHash("daily-report", Map.of("date", "2024-08-12"))).isNotEqualTo(base);
        assertThat(RunTrigger.requestHash("beatport-chart", Map.of("date", "2024-08-19"))).isNotEqualTo(base);
        assertThat(RunTrigger.requestHash("beatport-chart", Map.of("a=b", "c")))
                .isNotEqualTo(RunTrigger.requestHash("beatport-chart", Map.of("a", "b=c")));
    }
}
