package io.tally.chartprocessor;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.errors.DeadLetterHeaders;
import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.TaskResult;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.ServiceHttp;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
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
 * exactly_once_v2, the repartition topic, the dead-letter topic and the actuator endpoints: charts published as the
 * scrape stage publishes them, and the {@code pick-new-tracks} task sent as the engine sends it, answered with the
 * decision the topology kept in its picks store.
 */
@TallyServiceTest
class PickNewTracksWorkerIntegrationTest {

    private static final String TYPE = PickNewTracksHandler.TASK_TYPE;

    @Autowired
    KafkaStreamsHealth streams;

    @Autowired
    ServiceHttp http;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void answersTheNewTracksOfARedeliveredHundredTrackChartOnceEachInChartOrder() throws Exception {
        // Given a chart of 100 tracks nobody has seen, one of them listed twice, published twice (a redelivery)
        String job = TaskRequests.newJob();
        String[] trackKeys = IntStream.range(0, 101).mapToObj(i -> job + "-" + (i == 100 ? 7 : i)).toArray(String[]::new);
        ChartPublished chart = ProcessorDriver.chart("beatport/it/" + job, job, trackKeys);
        publish(chart);
        publish(chart);

        // When the engine sends the job's pick task
        String taskId = tasks.send(TYPE, job, "pick", null, 1, input(chart));

        // Then one SUCCEEDED result answers with the 100 new tracks once each, in chart order, of a 101-track chart
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        PickNewTracksOutput output = tasks.output(results.get(0).value(), PickNewTracksOutput.class);
        assertThat(output.getTracks()).extracting(ChartTrack::getTrackKey)
                .containsExactly(Arrays.copyOf(trackKeys, 100));
        assertThat(output.getChartSize()).isEqualTo(101);
        assertThat(output.getProcessedBy()).isNull();
    }

    @Test
    void answersARedeliveredPickWithTheSameTracksEvenWhenItCameBeforeTheChart() throws Exception {
        // Given a pick task that arrives before its job's chart is processed, and the chart just after it
        String job = TaskRequests.newJob();
        ChartPublished chart = ProcessorDriver.chart("beatport/it/" + job, job, job + "-x", job + "-y");
        String taskId = tasks.send(TYPE, job, "pick", null, 1, input(chart));
        publish(chart);

        // When the same task (same task id) is delivered again once the first was answered
        assertThat(tasks.results(job, 1)).hasSize(1);
        tasks.send(TYPE, job, "pick", null, 1, input(chart));
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 2);

        // Then both deliveries are answered SUCCEEDED with the same decision, kept once for the job
        assertThat(results).hasSize(2).allSatisfy(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        PickNewTracksOutput first = tasks.output(results.get(0).value(), PickNewTracksOutput.class);
        assertThat(tasks.output(results.get(1).value(), PickNewTracksOutput.class)).isEqualTo(first);
        assertThat(first.getTracks()).extracting(ChartTrack::getTrackKey).containsExactly(job + "-x", job + "-y");
    }

    @Test
    void deadLettersAPoisonChartUnderExactlyOnceAndStillAnswersTheNextChartsPick() throws Exception {
        // Given a chart with a blank job id followed by a good chart
        String job = TaskRequests.newJob();
        ChartPublished poison = ProcessorDriver.chart("beatport/poison/" + job, "", job + "-p");
        ChartPublished good = ProcessorDriver.chart("beatport/good/" + job, job, job + "-g");
        // When both are published and the good chart's pick task is sent
        publish(poison);
        publish(good);
        tasks.send(TYPE, job, "pick", null, 1, input(good));
        // Then the good chart's pick is answered with its track
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement()
                .satisfies(record -> assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED));
        assertThat(tasks.output(results.get(0).value(), PickNewTracksOutput.class).getTracks())
                .extracting(ChartTrack::getTrackKey).containsExactly(job + "-g");
        // And the poison chart is dead-lettered with its reason and original topic, and the streams keep running
        List<ConsumerRecord<String, byte[]>> deadLetters = kafka.awaitRaw(Topics.CHART_PROCESSOR_DLT.name(),
                KafkaTestClient.withKey(poison.getSourceKey()), 1, WAIT);
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

    private void publish(ChartPublished chart) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart)).get();
        }
    }

    private static PickNewTracksInput input(ChartPublished chart) {
        return PickNewTracksInput.newBuilder().setSourceKey(chart.getSourceKey()).setTracks(chart.getTracks()).build();
    }
}
