package io.tally.chartprocessor;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.JobCreated;
import io.tally.events.StageReported;
import io.tally.events.TrackSearchRequested;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The chart processor as a whole service on a real KRaft broker (in-JVM) and a real Apicurio registry process, with
 * exactly_once_v2, the repartition topic, the dead-letter topic and the actuator endpoints.
 */
@TallyServiceTest
class ChartProcessorIntegrationTest {

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Test
    void turnsAHundredTrackChartIntoOneJobAndAHundredCommittedSearchRequests() throws Exception {
        // Given a chart of 100 tracks nobody has seen
        String jobId = "it-" + UUID.randomUUID();
        String prefix = jobId + "-track-";
        String[] trackKeys = IntStream.range(0, 100).mapToObj(i -> prefix + i).toArray(String[]::new);
        ChartPublished chart = ProcessorDriver.chart("beatport/it/" + jobId, jobId, trackKeys);
        // When it is published, twice (a redelivery)
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart)).get();
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart)).get();
        }
        // Then a read_committed consumer sees one JobCreated(100), 100 distinct requests and one stage report
        List<JobCreated> jobs = read(Topics.JOB_CREATED.name(), JobCreated.class, record -> record.key().equals(jobId), 1);
        assertThat(jobs).singleElement().satisfies(job -> assertThat(job.getExpectedCount()).isEqualTo(100));
        List<TrackSearchRequested> requests = read(Topics.SEARCH_REQUESTS.name(), TrackSearchRequested.class,
                record -> record.key().startsWith(prefix), 100);
        assertThat(requests).hasSize(100)
                .allSatisfy(request -> assertThat(request.getJobId()).isEqualTo(jobId))
                .extracting(TrackSearchRequested::getTrackKey).containsExactlyInAnyOrder(trackKeys);
        List<StageReported> stages = read(Topics.STAGE_REPORTED.name(), StageReported.class,
                record -> record.key().equals(jobId), 1);
        assertThat(stages).singleElement().satisfies(stage -> assertThat(stage.getDetail()).isEqualTo("100 new of 100 tracks"));
    }

    @Test
    void deadLettersAPoisonChartUnderExactlyOnceAndKeepsProcessing() throws Exception {
        // Given a chart with a blank job id followed by a good chart
        String suffix = UUID.randomUUID().toString();
        ChartPublished poison = ProcessorDriver.chart("beatport/poison/" + suffix, "", "p-" + suffix);
        String jobId = "after-poison-" + suffix;
        ChartPublished good = ProcessorDriver.chart("beatport/good/" + suffix, jobId, "g-" + suffix);
        // When both are published
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), poison.getSourceKey(), poison)).get();
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), good.getSourceKey(), good)).get();
        }
        // Then the good chart makes its job, the poison one is dead-lettered with its reason, and streams keep running
        assertThat(read(Topics.JOB_CREATED.name(), JobCreated.class, record -> record.key().equals(jobId), 1)).hasSize(1);
        List<ConsumerRecord<String, byte[]>> deadLetters = kafka.awaitRaw(Topics.CHART_PROCESSOR_DLT.name(),
                record -> poison.getSourceKey().equals(record.key()), 1, WAIT);
        assertThat(deadLetters).singleElement().satisfies(deadLetter -> {
            assertThat(DeadLetterHeaders.reason(deadLetter.headers())).contains("blank jobId");
            assertThat(DeadLetterHeaders.originalTopic(deadLetter.headers())).isEqualTo(Topics.CHARTS_PUBLISHED.name());
        });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void reportsReadinessAndExposesItsMetrics() throws Exception {
        // When the readiness probe and the metrics are read
        HttpResponse<String> readiness = http.get("/actuator/health/readiness");
        HttpResponse<String> prometheus = http.get("/actuator/prometheus");
        // Then the probe follows the streams state and the processor's counters are exported
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"kafkaStreams\"").contains("RUNNING");
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("tally_processor_charts_total").contains("tally_processor_tracks_total");
    }

    /** Values of matching keyed records, read on past {@code expected} so a duplicate would be seen too. */
    private <T extends SpecificRecord> List<T> read(String topic, Class<T> type,
                                                    Predicate<ConsumerRecord<String, T>> wanted, int expected) {
        return kafka.await(topic, type, record -> record.key() != null && wanted.test(record), expected, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }
}
