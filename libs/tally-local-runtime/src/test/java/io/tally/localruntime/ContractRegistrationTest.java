package io.tally.localruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.ChartTasks;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineTriggered;
import io.tally.events.tasks.SearchTrackOutput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** Contracts registered up front are the ones producers with auto-registration off find, on the real registry. */
class ContractRegistrationTest {

    private static PipelineTriggered trigger() {
        return PipelineTriggered.newBuilder()
                .setTriggerId("manual:contract-test").setJobId("job-contract-test").setPipeline("beatport-chart")
                .setTriggeredAt(Instant.parse("2026-01-25T10:00:00Z")).setParameters(Map.of()).build();
    }

    @Test
    void registersEveryAvroTopicOnceSoProducersNeedNotRegister() {
        // Given the registry and the serdes of a producer that must not register anything itself
        String url = SchemaRegistryProcess.shared().registryV2Url();
        Serializer<PipelineTriggered> lookupOnly = AvroSerdes.forRegistry(url, false).serializer();

        // When the catalogue's contracts are registered, twice (a restarted stack does it again)
        List<String> first = AvroSerdes.forRegistry(url, false).registerContracts(Topics.ALL);
        List<String> again = AvroSerdes.forRegistry(url, false).registerContracts(Topics.ALL);

        // Then each Avro topic has its <topic>-value artifact, the dead-letter topics (raw bytes) none, and the
        // producer finds the schema by content
        assertThat(first).contains("tally.pipeline.triggers-value", "tally.jobs.items-value", "tally.tracks-value")
                .doesNotContain(Topics.JOB_TRACKER_DLT.name() + "-value").isEqualTo(again);
        byte[] bytes = lookupOnly.serialize(Topics.PIPELINE_TRIGGERS.name(), trigger());
        assertThat(bytes[0]).as("Confluent magic byte").isZero();
    }

    @Test
    void registersEachChartTaskTypesInputAndOutputOnceSoWorkersFindThem() throws Exception {
        // Given the registry
        String url = SchemaRegistryProcess.shared().registryV2Url();

        // When every chart task type's contract is registered, twice (a restarted stack does it again)
        List<String> first = new ArrayList<>();
        List<String> again = new ArrayList<>();
        for (ChartTasks.Contract task : ChartTasks.ALL) {
            first.addAll(AvroSerdes.forRegistry(url, false).registerTaskContract(task.type(), task.input(), task.output()));
            again.addAll(AvroSerdes.forRegistry(url, false).registerTaskContract(task.type(), task.input(), task.output()));
        }

        // Then each type has its request artifact and its output artifact, the same both times, and the output
        // artifact holds the output record
        assertThat(first).hasSize(2 * ChartTasks.ALL.size()).isEqualTo(again)
                .contains("tally.tasks.search-track-value", "tally.tasks.search-track.output");
        HttpResponse<String> output = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url + "/groups/default/artifacts/tally.tasks.search-track.output")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(new Schema.Parser().parse(output.body())).isEqualTo(SearchTrackOutput.getClassSchema());
    }

    @Test
    void aProducerWithoutRegistrationFailsOnATopicWhoseContractIsMissing() {
        // Given a topic outside the catalogue, so nothing registered its contract
        Serializer<PipelineTriggered> lookupOnly =
                AvroSerdes.forRegistry(SchemaRegistryProcess.shared().registryV2Url(), false).serializer();

        // When / Then the producer cannot serialize: the registration above is what makes the first test pass
        assertThatThrownBy(() -> lookupOnly.serialize("tally.not-registered", trigger()))
                .isInstanceOf(RuntimeException.class);
    }
}
