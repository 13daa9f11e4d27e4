package io.tally.chartprocessor;

import static io.tally.chartprocessor.ProcessorDriver.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.TrackResolution;
import io.tally.events.tasks.PickNewTracksOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The processor's decisions, read from its picks store (what the {@code pick-new-tracks} task answers): only tracks
 * never searched or whose last search failed, not picked by a job still running; a chart another job processed gives
 * an empty pick naming that job; redeliveries, tombstones and bad charts change nothing; picks and requested tracks
 * expire.
 */
class ChartProcessorTopologyTest {

    private final ProcessorDriver processor = new ProcessorDriver();

    @AfterEach
    void closeDriver() {
        processor.close();
    }

    @Nested
    class NewCharts {

        @Test
        void picksEveryTrackOfANewChartInChartOrderAndRemembersThemAsRequested() {
            // Given a chart of three tracks nobody has seen
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t3");
            // When it is published
            processor.publish(chart);
            // Then the job's pick lists all three as the chart lists them, of a chart of three, processed by nobody else
            ValueAndTimestamp<PickNewTracksOutput> picked = processor.picks().get("job-1");
            assertThat(picked.timestamp()).isEqualTo(ProcessorDriver.START.toEpochMilli());
            assertThat(picked.value().getTracks()).containsExactlyElementsOf(chart.getTracks());
            assertThat(picked.value().getChartSize()).isEqualTo(3);
            assertThat(picked.value().getProcessedBy()).isNull();
            // And the tracks are remembered as requested by job-1, and the chart as processed by it
            assertThat(processor.requested().get("t2")).isEqualTo(
                    new RequestedTrack("job-1", ProcessorDriver.START.toEpochMilli()));
            KeyValueStore<String, String> processed = processor.driver.getKeyValueStore(
                    ChartProcessorTopology.PROCESSED_CHARTS_STORE);
            assertThat(processed.get("beatport/2026/11/22/top100")).isEqualTo("job-1");
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "new")).isEqualTo(1);
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "new")).isEqualTo(3);
        }

        @Test
        void picksATrackListedTwiceInOneChartOnce() {
            // Given a chart that lists t2 twice
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t2");
            // When it is published
            processor.publish(chart);
            // Then t2 is picked once, of a chart of three
            assertThat(processor.pickedKeys("job-1")).containsExactly("t1", "t2");
            assertThat(processor.pick("job-1").getChartSize()).isEqualTo(3);
        }

        @Test
        void skipsTracksResolvedAsFoundOrNotFoundButPicksFailedOnesAgain() {
            // Given a tracks table where t1 was found, t2 not found and t3 failed
            processor.resolved("t1", TrackResolution.FOUND);
            processor.resolved("t2", TrackResolution.NOT_FOUND);
            processor.resolved("t3", TrackResolution.FAILED);
            // When a chart lists them and a new track t4
            processor.publish(chart("beatport/2026/11/29/top100", "job-2", "t1", "t2", "t3", "t4"));
            // Then only the failed and the new track are picked, and the known ones counted
            assertThat(processor.pickedKeys("job-2")).containsExactly("t3", "t4");
            assertThat(processor.pick("job-2").getChartSize()).isEqualTo(4);
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "known")).isEqualTo(2);
        }

        @Test
        void picksNothingWhenEveryTrackIsKnown() {
            // Given a tracks table that resolved both tracks
            processor.resolved("t1", TrackResolution.FOUND);
            processor.resolved("t2", TrackResolution.FOUND);
            // When a chart of only those tracks arrives
            processor.publish(chart("beatport/2026/11/29/top100", "job-2", "t1", "t2"));
            // Then the job has a pick, empty, so its fan-out has no element, and nobody processed the chart before
            assertThat(processor.pickedKeys("job-2")).isEmpty();
            assertThat(processor.pick("job-2").getChartSize()).isEqualTo(2);
            assertThat(processor.pick("job-2").getProcessedBy()).isNull();
        }
    }

    @Nested
    class RepeatedCharts {

        @Test
        void keepsTheFirstPickWhenTheSameChartIsRedeliveredWithItsJob() {
            // Given a chart processed by job-1
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2");
            processor.publish(chart);
            ValueAndTimestamp<PickNewTracksOutput> first = processor.picks().get("job-1");
            // When the same chart of the same job arrives again, later
            processor.advance(Duration.ofMinutes(5));
            processor.publish(chart);
            // Then job-1's pick is unchanged: the same tracks, picked at the same time, processed by nobody else
            assertThat(processor.picks().get("job-1")).isEqualTo(first);
            assertThat(processor.pickedKeys("job-1")).containsExactly("t1", "t2");
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "duplicate")).isEqualTo(1);
        }

        @Test
        void givesAnEmptyPickNamingTheFirstJobWhenAProcessedChartArrivesWithANewJob() {
            // Given a chart processed by job-1
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2"));
            // When a new run, job-2, publishes the same chart edition
            processor.publish(chart("beatport/2026/11/22/top100", "job-2", "t1", "t2"));
            // Then job-2 picks nothing and says job-1 processed the chart, and job-1's pick and requests stay
            PickNewTracksOutput rerun = processor.pick("job-2");
            assertThat(rerun.getTracks()).isEmpty();
            assertThat(rerun.getChartSize()).isEqualTo(2);
            assertThat(rerun.getProcessedBy()).isEqualTo("job-1");
            assertThat(processor.pickedKeys("job-1")).containsExactly("t1", "t2");
            assertThat(processor.requested().get("t1").jobId()).isEqualTo("job-1");
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "rerun")).isEqualTo(1);
        }

        @Test
        void picksSharedTracksOnceWhenTwoChartsArriveBeforeAnyResolution() {
            // Given a chart whose tracks are picked and not resolved yet
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t3"));
            // When a second chart sharing t2 and t3 arrives before any TrackResolved
            processor.publish(chart("beatport/2026/11/22/techno", "job-2", "t2", "t3", "t4"));
            // Then job-2 picks only t4, and t4 is remembered as job-2's
            assertThat(processor.pickedKeys("job-2")).containsExactly("t4");
            assertThat(processor.requested().get("t4").jobId()).isEqualTo("job-2");
            assertThat(processor.requested().get("t2").jobId()).isEqualTo("job-1");
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "requested")).isEqualTo(2);
        }
    }

    @Nested
    class Expiry {

        @Test
        void picksAnUnresolvedTrackAgainOnlyAfterTheRequestedTtl() {
            // Given t1 was picked and never resolved (TTL one hour)
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            // When half the TTL passes and another chart lists t1
            processor.advance(Duration.ofMinutes(30));
            processor.publish(chart("beatport/2026/11/22/house", "job-2", "t1"));
            // Then it is not picked again yet
            assertThat(processor.pickedKeys("job-2")).isEmpty();
            // When the TTL has passed on the wall clock and a third chart lists it
            processor.advance(Duration.ofMinutes(31));
            assertThat(processor.requested().get("t1")).isNull();
            processor.publish(chart("beatport/2026/11/22/techno", "job-3", "t1"));
            // Then the sweep has forgotten it and it is picked again, for the new job
            assertThat(processor.pickedKeys("job-3")).containsExactly("t1");
            assertThat(processor.counter(ProcessorMetrics.EXPIRED)).isEqualTo(1);
        }

        @Test
        void forgetsARequestedTrackOnceTheTableResolvesIt() {
            // Given t1 was picked and then resolved
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            processor.resolved("t1", TrackResolution.FOUND);
            // When the sweep runs
            processor.advance(ProcessorDriver.CONFIG.expiryInterval());
            // Then the entry is gone although its TTL has not passed
            assertThat(processor.requested().get("t1")).isNull();
        }

        @Test
        void keepsAPickWithinTheRequestedTtlAndForgetsItAfter() {
            // Given job-1's pick and, half an hour later, job-2's
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            processor.advance(Duration.ofMinutes(30));
            processor.publish(chart("beatport/2026/11/22/techno", "job-2", "t2"));
            // When the sweeps run until job-1's pick is 45 minutes old
            processor.advance(Duration.ofMinutes(15));
            // Then both picks are still there (a retried pick task still gets its answer)
            assertThat(processor.pickCount()).isEqualTo(2);
            // When job-1's pick outlives the TTL (one hour), job-2's not yet
            processor.advance(Duration.ofMinutes(16));
            // Then only job-1's pick is forgotten
            assertThat(processor.pick("job-1")).isNull();
            assertThat(processor.pickedKeys("job-2")).containsExactly("t2");
        }
    }

    @Nested
    class BadInput {

        @Test
        void deadLettersAChartWithABlankJobIdAndProcessesTheNextChart() {
            // Given a chart with a blank job id followed by a good chart
            processor.publish(chart("beatport/2026/11/22/top100", " ", "t1"));
            processor.publish(chart("beatport/2026/11/22/techno", "job-2", "t2"));
            // Then the bad chart is in the dead-letter topic with its reason and original topic
            TestRecord<String, byte[]> deadLetter = processor.deadLetters.readRecord();
            assertThat(deadLetter.key()).isEqualTo("beatport/2026/11/22/top100");
            assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("blank jobId");
            assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(Topics.CHARTS_PUBLISHED.name());
            // And the good chart is the only one picked from, and the bad one's track is not held as requested
            assertThat(processor.pickCount()).isEqualTo(1);
            assertThat(processor.pickedKeys("job-2")).containsExactly("t2");
            assertThat(processor.requested().get("t1")).isNull();
        }

        @Test
        void deadLettersAChartWithABlankSourceKey() {
            // When a chart without source key arrives
            processor.publish(chart("", "job-1", "t1"));
            // Then it is dead-lettered with the reason and nothing is picked
            assertThat(DeadLetterHeaders.reason(processor.deadLetters.readRecord().headers())).contains("blank sourceKey");
            assertThat(processor.pickCount()).isZero();
        }

        @Test
        void deadLettersAChartWithATrackWithoutTrackKeyAndPicksNothingOfIt() {
            // Given a chart whose second track has an empty track key
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "");
            // When it is published
            processor.publish(chart);
            // Then the whole chart is dead-lettered, naming the position, and none of its tracks is picked or held
            assertThat(DeadLetterHeaders.reason(processor.deadLetters.readRecord().headers()))
                    .contains("track without trackKey at position 2");
            assertThat(processor.pick("job-1")).isNull();
            assertThat(processor.requested().get("t1")).isNull();
        }

        @Test
        void deadLettersBytesThatAreNotAvroAndKeepsProcessing() {
            // Given a value that is not a framed Avro record
            processor.rawCharts.pipeInput("garbage", "not avro".getBytes(StandardCharsets.UTF_8));
            // When a good chart follows
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            // Then the bytes are kept in the dead-letter topic with a reason, and the chart is picked from
            TestRecord<String, byte[]> deadLetter = processor.deadLetters.readRecord();
            assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(DeadLetterHeaders.reason(deadLetter.headers())).isNotBlank();
            assertThat(processor.pickedKeys("job-1")).containsExactly("t1");
        }

        @Test
        void picksATrackWhoseTracksTableRecordIsUnreadable() {
            // Given a tracks-table record for t1 that is not Avro, and a good resolution for t2
            processor.rawTracks.pipeInput("t1", "corrupt".getBytes(StandardCharsets.UTF_8));
            processor.resolved("t2", TrackResolution.FOUND);
            // When a chart lists both
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2"));
            // Then t1 counts as unknown and is picked, and the chart is not dead-lettered
            assertThat(processor.pickedKeys("job-1")).containsExactly("t1");
            assertThat(processor.deadLetters.isEmpty()).isTrue();
        }

        @Test
        void ignoresATombstoneOfACompactedChart() {
            // When a chart edition is deleted from the compacted topic
            processor.rawCharts.pipeInput("beatport/2026/11/22/top100", (byte[]) null);
            // Then nothing is picked or remembered, and nothing is dead-lettered
            assertThat(processor.pickCount()).isZero();
            KeyValueStore<String, String> processed = processor.driver.getKeyValueStore(
                    ChartProcessorTopology.PROCESSED_CHARTS_STORE);
            assertThat(processed.get("beatport/2026/11/22/top100")).isNull();
            assertThat(processor.deadLetters.isEmpty()).isTrue();
        }
    }

    @Test
    void namesTheRepartitionTopicAndEveryStoreExplicitlyAndWritesToNoTopic() {
        // When the topology is described
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tally-chart-processor");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        String description = ChartProcessorTopology.build(props, ProcessorDriver.CONFIG, processor.serdes, processor.meters)
                .describe().toString();
        // Then internal topics and stores carry the fixed names
        assertThat(description).contains(ChartProcessorTopology.CHARTS_BY_PIPELINE + "-repartition")
                .contains(ChartProcessorTopology.PROCESSED_CHARTS_STORE)
                .contains(ChartProcessorTopology.REQUESTED_TRACKS_STORE)
                .contains(ChartProcessorTopology.KNOWN_TRACKS_STORE)
                .contains(ChartProcessorTopology.PICKS_STORE)
                .doesNotContain("KSTREAM-");
        // And the only sink is the repartition topic's: the decision lives in the picks store, read by the task
        assertThat(description.split("Sink: ", -1)).hasSize(2);
    }
}
