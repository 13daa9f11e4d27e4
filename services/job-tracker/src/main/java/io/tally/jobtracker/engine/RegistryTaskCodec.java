package io.tally.jobtracker.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.tasks.TaskHeaders;
import io.tally.pipeline.AvroJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Encodes task inputs with the latest schema registered for the task topic's value ({@code tally.tasks.<type>-value},
 * registered by the task type's worker, ADR 0016) and reads outputs by the schema id in their bytes. A schema is
 * looked up at most once a minute per task type, so a worker's new schema version is picked up without a restart.
 * Known gap: looks schemas up through Apicurio's v2 REST API only (the registry Tally ships, ADR 0002).
 */
public final class RegistryTaskCodec implements TaskCodec {

    private static final Duration SCHEMA_TTL = Duration.ofMinutes(1);

    private final AvroSerdes serdes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Cached> schemas = new ConcurrentHashMap<>();
    private Serializer<GenericRecord> serializer;
    private Deserializer<GenericRecord> deserializer;

    public RegistryTaskCodec(AvroSerdes serdes) {
        this.serdes = serdes;
    }

    @Override
    public byte[] encodeInput(String taskType, JsonNode input) {
        String topic = TaskHeaders.requestTopic(taskType);
        Schema schema = inputSchema(topic);
        try {
            return serializer().serialize(topic, AvroJson.toRecord(input, schema));
        } catch (RuntimeException e) {
            throw new TaskCodecException("input of task type %s does not fit its schema: %s".formatted(taskType,
                    e.getMessage()), e);
        }
    }

    @Override
    public JsonNode decodeOutput(String taskType, byte[] output) {
        try {
            GenericRecord record = deserializer().deserialize(TaskHeaders.outputSubject(taskType), output);
            return AvroJson.toJson(record, record.getSchema());
        } catch (RuntimeException e) {
            throw new TaskCodecException("output of task type %s cannot be read: %s".formatted(taskType, e.getMessage()), e);
        }
    }

    private Schema inputSchema(String topic) {
        long now = System.nanoTime();
        Cached cached = schemas.get(topic);
        if (cached != null && now - cached.fetchedAt() < SCHEMA_TTL.toNanos()) {
            return cached.schema();
        }
        String artifact = topic + "-value";
        String registry = serdes.registryUrl();
        if (registry == null) {
            throw new TaskCodecException("no registry URL to look up " + artifact, null);
        }
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create(registry + "/groups/default/artifacts/" + artifact))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                throw new TaskCodecException(("no input schema is registered as %s; start a worker of the task type, which "
                        + "registers its contract").formatted(artifact), null);
            }
            if (response.statusCode() != 200) {
                throw new TaskCodecException("the registry answered %d for %s".formatted(response.statusCode(), artifact), null);
            }
            Schema schema = new Schema.Parser().parse(response.body());
            schemas.put(topic, new Cached(schema, now));
            return schema;
        } catch (IOException e) {
            throw new TaskCodecException("the registry could not be reached for " + artifact + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskCodecException("interrupted while looking up " + artifact, e);
        }
    }

    private synchronized Serializer<GenericRecord> serializer() {
        if (serializer == null) {
            serializer = serdes.genericSerializer();
        }
        return serializer;
    }

    private synchronized Deserializer<GenericRecord> deserializer() {
        if (deserializer == null) {
            deserializer = serdes.genericDeserializer();
        }
        return deserializer;
    }

    private record Cached(Schema schema, long fetchedAt) {
    }
}
