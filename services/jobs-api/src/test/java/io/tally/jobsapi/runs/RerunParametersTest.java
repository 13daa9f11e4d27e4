package io.tally.jobsapi.runs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Run parameters derived from a job's source for a re-run. */
class RerunParametersTest {

    @Test
    void derivesTheDateOfATop100ChartAndNothingFromOtherSources() {
        // When parameters are derived from a Top 100 source, an unrelated source and no source
        // Then only the chart gives a date
        assertThat(RerunController.parametersOf("beatport/2024/08/12/top100")).containsExactlyEntriesOf(
                java.util.Map.of("date", "2024-08-12"));
        assertThat(RerunController.parametersOf("reports/daily")).isEmpty();
        assertThat(RerunController.parametersOf(null)).isEmpty();
    }
}
