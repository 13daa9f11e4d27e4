package io.tally.chartprocessor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.events.ChartTrack;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.worker.FixedTaskContext;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;

/**
 * The pick-new-tracks task on the chart processor's decisions (the rules themselves are in
 * {@link ChartProcessorTopologyTest}): it answers the decision kept for its job, the same when retried, and fails for
 * a retry when no decision comes within its patience.
 */
class PickNewTracksHandlerTest {

    private static PickNewTracksHandler handler(ProcessorDriver driver) {
        KeyValueStore<String, ValueAndTimestamp<PickNewTracksOutput>> store =
                driver.driver.getTimestampedKeyValueStore(ChartProcessorTopology.PICKS_STORE);
        return new PickNewTracksHandler(jobId -> {
            ValueAndTimestamp<PickNewTracksOutput> picked = store.get(jobId);
            return picked == null ? null : picked.value();
        }, Duration.ofMillis(300), Duration.ofMillis(50));
    }

    private static PickNewTracksOutput pick(PickNewTracksHandler handler, String jobId, String sourceKey) throws Exception {
        return handler.run(PickNewTracksInput.newBuilder().setSourceKey(sourceKey).setTracks(List.of()).build(),
                FixedTaskContext.of(jobId, "pick", null));
    }

    @Test
    void picksTheTracksThatWereNeverFoundAndAreNotAskedForByARunningJob() throws Exception {
        try (ProcessorDriver driver = new ProcessorDriver()) {
            // Given t1 was found, t2 failed last time, and a running job asked for t3
            driver.resolved("t1", TrackResolution.FOUND);
            driver.resolved("t2", TrackResolution.FAILED);
            driver.publish(ProcessorDriver.chart("beatport/2026/11/15/top100", "job-0", "t3"));
            // When the job's chart with t1..t4 (t4 twice) is processed and its pick task runs
            driver.publish(ProcessorDriver.chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t3", "t4", "t4"));
            PickNewTracksOutput picked = pick(handler(driver), "job-1", "beatport/2026/11/22/top100");

            // Then t2 and t4 are picked, once each, in chart order
            assertThat(picked.getTracks()).extracting(ChartTrack::getTrackKey).containsExactly("t2", "t4");
            assertThat(picked.getChartSize()).isEqualTo(5);
            assertThat(picked.getProcessedBy()).isNull();
        }
    }

    @Test
    void picksNothingForARerunOfTheSameChartAndTheSameForARetriedTask() throws Exception {
        try (ProcessorDriver driver = new ProcessorDriver()) {
            // Given job-1's chart was processed and its pick task answered
            driver.publish(ProcessorDriver.chart("beatport/2026/11/22/top100", "job-1", "t1", "t2"));
            PickNewTracksHandler handler = handler(driver);
            PickNewTracksOutput first = pick(handler, "job-1", "beatport/2026/11/22/top100");

            // When another job publishes the same chart again
            driver.publish(ProcessorDriver.chart("beatport/2026/11/22/top100", "job-2", "t1", "t2"));
            PickNewTracksOutput rerun = pick(handler, "job-2", "beatport/2026/11/22/top100");

            // Then it gets no search work, and says which job processed the chart
            assertThat(rerun.getTracks()).isEmpty();
            assertThat(rerun.getChartSize()).isEqualTo(2);
            assertThat(rerun.getProcessedBy()).isEqualTo("job-1");
            // And the first job's pick, asked again (a retry or redelivery), is the same
            assertThat(pick(handler, "job-1", "beatport/2026/11/22/top100")).isEqualTo(first);
            assertThat(first.getTracks()).extracting(ChartTrack::getTrackKey).containsExactly("t1", "t2");
        }
    }

    @Test
    void failsForRetryWhenTheChartIsNotProcessedInTime() {
        try (ProcessorDriver driver = new ProcessorDriver()) {
            // Given no chart of job-9 was processed
            // When its pick task runs, Then it gives up after its patience and throws, so the SDK retries it
            assertThatThrownBy(() -> pick(handler(driver), "job-9", "beatport/2026/11/29/top100"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("beatport/2026/11/29/top100");
        }
    }
}
