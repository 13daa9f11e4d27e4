package io.tally.localruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryProcessTest {

    private static final String SCHEMA_REGISTRY_JSON = "application/vnd.schemaregistry.v1+json";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startsARegistryThatServesTheConfluentApi() throws Exception {
        // Given the registry shared by every test in this JVM
        SchemaRegistryProcess registry = SchemaRegistryProcess.shared();

        // When a Confluent client lists the subjects
        HttpResponse<String> response = get(registry.ccompatUrl() + "/subjects");

        // Then the ccompat API answers with a JSON array on loopback
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().trim()).startsWith("[").endsWith("]");
        assertThat(registry.baseUrl()).isEqualTo("http://127.0.0.1:" + registry.port());
        assertThat(registry.registryV2Url()).endsWith("/apis/registry/v2");
    }

    @Test
    void resolvesTheIdOfASchemaRegisteredThroughTheConfluentApi() throws Exception {
        // Given the shared registry and a subject no other test uses
        SchemaRegistryProcess registry = SchemaRegistryProcess.shared();
        String subject = "test-" + UUID.randomUUID() + "-value";

        // When an Avro schema is registered the way a Confluent serializer does it
        HttpRequest register = HttpRequest.newBuilder(
                        URI.create(registry.ccompatUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", SCHEMA_REGISTRY_JSON)
                .POST(HttpRequest.BodyPublishers.ofString("{\"schema\":\"{\\\"type\\\":\\\"string\\\"}\"}"))
                .build();
        HttpResponse<String> registered = http.send(register, HttpResponse.BodyHandlers.ofString());

        // Then it gets an id that a Confluent deserializer can resolve back to the schema
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(registered.body());
        assertThat(id.find()).as(registered.body()).isTrue();
        HttpResponse<String> resolved = get(registry.ccompatUrl() + "/schemas/ids/" + id.group(1));
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
        assertThat(resolved.body()).contains("string");
    }

    @Test
    void explainsHowToBuildTheRegistryWhenTheJarIsMissing(@TempDir Path dir) {
        // Given a jar path that does not exist
        Path missing = dir.resolve("quarkus-run.jar");

        // When / Then starting fails at once with the build command in the message
        assertThatThrownBy(() -> SchemaRegistryProcess.builder().jar(missing).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("./mvnw -pl tools/apicurio-registry package");
    }

    @Test
    void closingTheSharedRegistryLeavesItRunningForLaterTests() {
        // Given the shared registry
        SchemaRegistryProcess registry = SchemaRegistryProcess.shared();

        // When a test closes it by habit (try-with-resources)
        registry.close();

        // Then it keeps running, and shared() hands out the same instance
        assertThat(registry.isAlive()).isTrue();
        assertThat(SchemaRegistryProcess.shared()).isSameAs(registry);
    }

    private HttpResponse<String> get(String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Accept", SCHEMA_REGISTRY_JSON).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
