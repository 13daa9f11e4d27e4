package io.tally.chartprocessor;

import static io.tally.chartprocessor.ProcessorDriver.chart;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.jobs.Stages;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.JobCreated;
import io.tally.events.StageState;
import io.tally.events.TrackResolution;
import io.tally.events.TrackSearchRequested;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ChartProcessorTopologyTest {

    private final ProcessorDriver processor = new ProcessorDriver();

    @AfterEach
    void closeDriver() {
        processor.close();
    }

    @Nested
    class NewCharts {

        @Test
        void createsOneJobWithEveryTrackAndAStageReportForANewChart() {
            // Given a chart of three tracks nobody has seen
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t3");
            // When it is published
            processor.publish(chart);
            // Then one job expects all three, each track is requested once, keyed by track key, and the stage is reported
            List<TestRecord<String, JobCreated>> jobs = processor.jobs.readRecordsToList();
            assertThat(jobs).singleElement().satisfies(job -> {
                assertThat(job.key()).isEqualTo("job-1");
                assertThat(job.value().getExpectedCount()).isEqualTo(3);
                assertThat(job.value().getPipeline()).isEqualTo("beatport-chart");
                assertThat(job.value().getSourceRef()).isEqualTo("beatport/2026/11/22/top100");
                assertThat(job.value().getCountedStage()).isEqualTo(Stages.SEARCH);
                assertThat(job.value().getStages()).isEqualTo(Stages.CHART_PIPELINE);
                assertThat(job.value().getTriggerId()).isEqualTo("trigger-job-1");
                assertThat(job.value().getCreatedAt()).isEqualTo(ProcessorDriver.START);
            });
            List<TestRecord<String, TrackSearchRequested>> requests = processor.requests.readRecordsToList();
            assertThat(requests).extracting(TestRecord::key).containsExactly("t1", "t2", "t3");
            assertThat(requests).allSatisfy(request -> {
                assertThat(request.value().getJobId()).isEqualTo("job-1");
                assertThat(request.value().getTrackKey()).isEqualTo(request.key());
                assertThat(request.value().getTitle()).isEqualTo("Title " + request.key());
                assertThat(request.value().getMix()).isEqualTo("Extended Mix");
            });
            assertThat(processor.stages.readRecordsToList()).singleElement().satisfies(stage -> {
                assertThat(stage.key()).isEqualTo("job-1");
                assertThat(stage.value().getStage()).isEqualTo(Stages.PROCESS);
                assertThat(stage.value().getState()).isEqualTo(StageState.SUCCEEDED);
                assertThat(stage.value().getDone()).isEqualTo(3);
                assertThat(stage.value().getTotal()).isEqualTo(3);
                assertThat(stage.value().getDetail()).isEqualTo("3 new of 3 tracks");
            });
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "new")).isEqualTo(1);
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "new")).isEqualTo(3);
        }

        @Test
        void requestsATrackListedTwiceInOneChartOnce() {
            // Given a chart that lists t2 twice
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t2");
            // When it is published
            processor.publish(chart);
            // Then t2 is asked for once and the job expects the two distinct tracks
            assertThat(processor.requestedKeys()).containsExactly("t1", "t2");
            assertThat(processor.jobs.readValue().getExpectedCount()).isEqualTo(2);
            assertThat(processor.stages.readValue().getDetail()).isEqualTo("2 new of 3 tracks");
        }

        @Test
        void skipsTracksResolvedAsFoundOrNotFoundButRequestsFailedOnesAgain() {
            // Given a tracks table where t1 was found, t2 not found and t3 failed
            processor.resolved("t1", TrackResolution.FOUND);
            processor.resolved("t2", TrackResolution.NOT_FOUND);
            processor.resolved("t3", TrackResolution.FAILED);
            // When a chart lists them and a new track t4
            processor.publish(chart("beatport/2026/11/29/top100", "job-2", "t1", "t2", "t3", "t4"));
            // Then only the failed and the new track are requested and counted
            assertThat(processor.requestedKeys()).containsExactly("t3", "t4");
            assertThat(processor.jobs.readValue().getExpectedCount()).isEqualTo(2);
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "known")).isEqualTo(2);
        }

        @Test
        void createsAnEmptyJobWhenEveryTrackIsKnown() {
            // Given a tracks table that resolved both tracks
            processor.resolved("t1", TrackResolution.FOUND);
            processor.resolved("t2", TrackResolution.FOUND);
            // When a chart of only those tracks arrives
            processor.publish(chart("beatport/2026/11/29/top100", "job-2", "t1", "t2"));
            // Then the job expects nothing, so it completes at once, and no search is asked
            assertThat(processor.jobs.readValue().getExpectedCount()).isZero();
            assertThat(processor.requests.isEmpty()).isTrue();
            assertThat(processor.stages.readValue().getDetail()).isEqualTo("0 new of 2 tracks");
        }
    }

    @Nested
    class RepeatedCharts {

        @Test
        void emitsNothingWhenTheSameChartIsRedeliveredWithItsJob() {
            // Given a processed chart
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "t2");
            processor.publish(chart);
            processor.jobs.readRecordsToList();
            processor.requests.readRecordsToList();
            processor.stages.readRecordsToList();
            // When the same chart of the same job arrives again
            processor.publish(chart);
            // Then no new job, request or stage report is emitted
            assertThat(processor.jobs.isEmpty()).isTrue();
            assertThat(processor.requests.isEmpty()).isTrue();
            assertThat(processor.stages.isEmpty()).isTrue();
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "duplicate")).isEqualTo(1);
        }

        @Test
        void createsAnEmptySkippedJobWhenAProcessedChartArrivesWithANewJob() {
            // Given a chart processed by job-1
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2"));
            processor.jobs.readRecordsToList();
            processor.requests.readRecordsToList();
            processor.stages.readRecordsToList();
            // When a new run, job-2, publishes the same chart edition
            processor.publish(chart("beatport/2026/11/22/top100", "job-2", "t1", "t2"));
            // Then job-2 gets an empty job and a SKIPPED process stage naming job-1, and nothing is searched
            assertThat(processor.jobs.readRecordsToList()).singleElement().satisfies(job -> {
                assertThat(job.key()).isEqualTo("job-2");
                assertThat(job.value().getExpectedCount()).isZero();
                assertThat(job.value().getCountedStage()).isEqualTo(Stages.SEARCH);
            });
            assertThat(processor.stages.readRecordsToList()).singleElement().satisfies(stage -> {
                assertThat(stage.key()).isEqualTo("job-2");
                assertThat(stage.value().getStage()).isEqualTo(Stages.PROCESS);
                assertThat(stage.value().getState()).isEqualTo(StageState.SKIPPED);
                assertThat(stage.value().getDetail())
                        .isEqualTo("chart beatport/2026/11/22/top100 was already processed by job job-1");
            });
            assertThat(processor.requests.isEmpty()).isTrue();
            assertThat(processor.counter(ProcessorMetrics.CHARTS, "outcome", "rerun")).isEqualTo(1);
        }

        @Test
        void requestsSharedTracksOnceWhenTwoChartsArriveBeforeAnyResolution() {
            // Given a chart whose tracks are requested and not resolved yet
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2", "t3"));
            processor.requests.readRecordsToList();
            processor.jobs.readRecordsToList();
            // When a second chart sharing t2 and t3 arrives before any TrackResolved
            processor.publish(chart("beatport/2026/11/22/techno", "job-2", "t2", "t3", "t4"));
            // Then only t4 is requested for job-2, and job-2 expects only that one
            List<TestRecord<String, TrackSearchRequested>> requests = processor.requests.readRecordsToList();
            assertThat(requests).extracting(TestRecord::key).containsExactly("t4");
            assertThat(requests.get(0).value().getJobId()).isEqualTo("job-2");
            assertThat(processor.jobs.readValue().getExpectedCount()).isEqualTo(1);
            assertThat(processor.counter(ProcessorMetrics.TRACKS, "result", "requested")).isEqualTo(2);
        }
    }

    @Nested
    class RequestedTracksExpiry {

        @Test
        void requestsAnUnresolvedTrackAgainOnlyAfterTheRequestedTtl() {
            // Given t1 was requested and never resolved (TTL one hour)
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            processor.requests.readRecordsToList();
            // When half the TTL passes and another chart lists t1
            processor.advance(Duration.ofMinutes(30));
            processor.publish(chart("beatport/2026/11/22/house", "job-2", "t1"));
            // Then it is not asked again yet
            assertThat(processor.requests.isEmpty()).isTrue();
            // When the TTL has passed on the wall clock and a third chart lists it
            processor.advance(Duration.ofMinutes(31));
            KeyValueStore<String, RequestedTrack> requested = processor.driver.getKeyValueStore(
                    ChartProcessorTopology.REQUESTED_TRACKS_STORE);
            assertThat(requested.get("t1")).isNull();
            processor.publish(chart("beatport/2026/11/22/techno", "job-3", "t1"));
            // Then the sweep has forgotten it and it is asked again, for the new job
            assertThat(processor.requests.readValuesToList()).singleElement()
                    .satisfies(request -> assertThat(request.getJobId()).isEqualTo("job-3"));
            assertThat(processor.counter(ProcessorMetrics.EXPIRED)).isEqualTo(1);
        }

        @Test
        void forgetsARequestedTrackOnceTheTableResolvesIt() {
            // Given t1 was requested and then resolved
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            processor.resolved("t1", TrackResolution.FOUND);
            // When the sweep runs
            processor.advance(ProcessorDriver.CONFIG.expiryInterval());
            // Then the entry is gone although its TTL has not passed
            KeyValueStore<String, RequestedTrack> requested = processor.driver.getKeyValueStore(
                    ChartProcessorTopology.REQUESTED_TRACKS_STORE);
            assertThat(requested.get("t1")).isNull();
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
            // And the good chart is processed
            assertThat(processor.jobs.readRecordsToList()).extracting(TestRecord::key).containsExactly("job-2");
            assertThat(processor.requestedKeys()).containsExactly("t2");
        }

        @Test
        void deadLettersAChartWithABlankSourceKey() {
            // When a chart without source key arrives
            processor.publish(chart("", "job-1", "t1"));
            // Then it is dead-lettered with the reason and nothing is emitted
            assertThat(DeadLetterHeaders.reason(processor.deadLetters.readRecord().headers())).contains("blank sourceKey");
            assertThat(processor.jobs.isEmpty()).isTrue();
        }

        @Test
        void deadLettersAChartWithATrackWithoutTrackKeyAndRequestsNothingOfIt() {
            // Given a chart whose second track has an empty track key
            ChartPublished chart = chart("beatport/2026/11/22/top100", "job-1", "t1", "");
            // When it is published
            processor.publish(chart);
            // Then the whole chart is dead-lettered, naming the position, and none of its tracks is requested
            assertThat(DeadLetterHeaders.reason(processor.deadLetters.readRecord().headers()))
                    .contains("track without trackKey at position 2");
            assertThat(processor.requests.isEmpty()).isTrue();
            assertThat(processor.jobs.isEmpty()).isTrue();
        }

        @Test
        void deadLettersBytesThatAreNotAvroAndKeepsProcessing() {
            // Given a value that is not a framed Avro record
            processor.rawCharts.pipeInput("garbage", "not avro".getBytes(StandardCharsets.UTF_8));
            // When a good chart follows
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1"));
            // Then the bytes are kept in the dead-letter topic with a reason, and the chart is processed
            TestRecord<String, byte[]> deadLetter = processor.deadLetters.readRecord();
            assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(DeadLetterHeaders.reason(deadLetter.headers())).isNotBlank();
            assertThat(processor.jobs.readValue().getJobId()).isEqualTo("job-1");
        }

        @Test
        void searchesATrackWhoseTracksTableRecordIsUnreadable() {
            // Given a tracks-table record for t1 that is not Avro, and a good resolution for t2
            processor.rawTracks.pipeInput("t1", "corrupt".getBytes(StandardCharsets.UTF_8));
            processor.resolved("t2", TrackResolution.FOUND);
            // When a chart lists both
            processor.publish(chart("beatport/2026/11/22/top100", "job-1", "t1", "t2"));
            // Then t1 counts as unknown and is searched, and the chart is not dead-lettered
            assertThat(processor.requestedKeys()).containsExactly("t1");
            assertThat(processor.jobs.readValue().getExpectedCount()).isEqualTo(1);
            assertThat(processor.deadLetters.isEmpty()).isTrue();
        }

        @Test
        void ignoresATombstoneOfACompactedChart() {
            // When a chart edition is deleted from the compacted topic
            processor.rawCharts.pipeInput("beatport/2026/11/22/top100", (byte[]) null);
            // Then nothing is emitted and nothing is dead-lettered
            assertThat(processor.jobs.isEmpty()).isTrue();
            assertThat(processor.deadLetters.isEmpty()).isTrue();
        }
    }

    @Test
    void namesTheRepartitionTopicAndEveryStoreExplicitly() {
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
                .doesNotContain("KSTREAM-");
    }
}
