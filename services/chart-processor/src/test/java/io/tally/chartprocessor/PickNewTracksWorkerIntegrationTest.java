package io.tally.chartprocessor;

import static io.tally.testsupport.KafkaTestClient.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;
import io.tally.events.ItemOutcome;
import io.tally.events.JobCreated;
import io.tally.events.TaskResult;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.testsupport.KafkaTestClient;
import io.tally.testsupport.TallyServiceTest;
import io.tally.testsupport.TaskRequests;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The chart processor as a worker of the {@code pick-new-tracks} task, beside its topology's own job, on the real
 * broker and registry with exactly_once_v2 (the same properties as {@link ChartProcessorIntegrationTest}, so both share
 * one context): the task reads the decision the topology kept in its picks store.
 */
@TallyServiceTest
class PickNewTracksWorkerIntegrationTest {

    private static final String TYPE = PickNewTracksHandler.TASK_TYPE;

    @Autowired
    KafkaTestClient kafka;

    @Autowired
    TaskRequests tasks;

    @Test
    void answersTheNewTracksOfTheJobsChartInChartOrder() throws Exception {
        // Given a published chart of a job whose tracks nobody has seen, one of them listed twice
        String job = TaskRequests.newJob();
        ChartPublished chart = ProcessorDriver.chart("beatport/it/" + job, job, job + "-a", job + "-b", job + "-a", job + "-c");
        publish(chart);

        // When the engine sends the job's pick task
        String taskId = tasks.send(TYPE, job, "pick", null, 1, input(chart));

        // Then one SUCCEEDED result answers with the three new tracks once each, in chart order, of a 4-track chart
        List<ConsumerRecord<String, TaskResult>> results = tasks.results(job, 1);
        assertThat(results).singleElement().satisfies(record -> {
            assertThat(record.value().getTaskId()).isEqualTo(taskId);
            assertThat(record.value().getTaskType()).isEqualTo(TYPE);
            assertThat(record.value().getOutcome()).isEqualTo(ItemOutcome.SUCCEEDED);
        });
        PickNewTracksOutput output = tasks.output(results.get(0).value(), PickNewTracksOutput.class);
        assertThat(output.getTracks()).extracting(ChartTrack::getTrackKey).containsExactly(job + "-a", job + "-b", job + "-c");
        assertThat(output.getChartSize()).isEqualTo(4);
        assertThat(output.getProcessedBy()).isNull();
        // And the topology's own job is still made beside it, with the same three tracks
        assertThat(kafka.await(Topics.JOB_CREATED.name(), JobCreated.class, KafkaTestClient.withKey(job), 1, WAIT))
                .singleElement().satisfies(created -> assertThat(created.value().getExpectedCount()).isEqualTo(3));
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

    private void publish(ChartPublished chart) throws Exception {
        try (KafkaProducer<String, SpecificRecord> producer = kafka.producer()) {
            producer.send(new ProducerRecord<>(Topics.CHARTS_PUBLISHED.name(), chart.getSourceKey(), chart)).get();
        }
    }

    private static PickNewTracksInput input(ChartPublished chart) {
        return PickNewTracksInput.newBuilder().setSourceKey(chart.getSourceKey()).setTracks(chart.getTracks()).build();
    }
}
