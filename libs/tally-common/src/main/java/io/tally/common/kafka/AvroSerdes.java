package io.tally.common.kafka;

import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.data.SerdeMetadata;
import io.apicurio.registry.serde.data.SerdeRecord;
import io.apicurio.registry.serde.strategy.SimpleTopicIdStrategy;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.kafka.support.serializer.DelegatingByTypeSerializer;

/**
 * Builds every Avro serde Tally uses, configured once for the Confluent wire format (magic byte 0 + 4-byte content
 * id, no headers) against a schema registry. See docs/adr/0002-schema-registry.md.
 * Tests pass an in-memory {@link RegistryClientFacade} instead of a URL, so they use the same framing.
 */
public final class AvroSerdes {

    private final Map<String, Object> config;
    private final RegistryClientFacade client;

    private AvroSerdes(Map<String, Object> config, RegistryClientFacade client) {
        this.config = Map.copyOf(config);
        this.client = client;
    }

    /** Serdes that talk to the registry at {@code registryUrl} (an Apicurio {@code /apis/registry/v2} or v3 URL). */
    public static AvroSerdes forRegistry(String registryUrl, boolean autoRegister) {
        return new AvroSerdes(registryConfig(registryUrl, autoRegister), null);
    }

    /** Serdes that use the given registry client, for tests without a registry process. */
    public static AvroSerdes forClient(RegistryClientFacade client) {
        return new AvroSerdes(registryConfig("http://in-memory.invalid/apis/registry/v2", true), client);
    }

    /** The Apicurio client settings that select the Confluent wire format; also usable as plain Kafka client config. */
    public static Map<String, Object> registryConfig(String registryUrl, boolean autoRegister) {
        return Map.of(
                "apicurio.registry.url", registryUrl,
                "apicurio.registry.auto-register", autoRegister,
                "apicurio.registry.headers.enabled", false,
                "apicurio.registry.use-id", "contentId",
                "apicurio.registry.use-specific-avro-reader", true,
                "apicurio.registry.dereference-schema", true,
                "apicurio.registry.avro-datum-provider", SchemaInstanceDatumProvider.class.getName());
    }

    /**
     * Registers the value contract of every Avro topic in {@code topics} under the artifact the serializers look up
     * ({@code <topic>-value} in the default group), and returns those artifact ids. It goes through the serializer's
     * own schema resolver, so the registered content is exactly what a producer would register or, with
     * auto-registration off, look up. Run it once before producers start: on a fresh Apicurio 2.4 registry, producers
     * that register the same new schema at the same moment make all but one fail ("Cache load failed"). Idempotent.
     */
    public List<String> registerContracts(Collection<TopicSpec<?>> topics) {
        Map<String, Class<? extends SpecificRecord>> avroTopics = new LinkedHashMap<>();
        for (TopicSpec<?> topic : topics) {
            if (SpecificRecord.class.isAssignableFrom(topic.valueType())) {
                avroTopics.put(topic.name(), topic.valueType().asSubclass(SpecificRecord.class));
            }
        }
        register(config, avroTopics);
        return avroTopics.keySet().stream().map(topic -> topic + "-value").toList();
    }

    /**
     * Registers {@code type} as the value contract of {@code topic}, under the artifact producers look up
     * ({@code <topic>-value}), the way {@link #registerContracts} does for the catalogue; returns the artifact id.
     * For topics outside the catalogue, such as a task type's request topic, whose worker owns the contract
     * (ADR 0016). Idempotent.
     */
    public String registerValueContract(String topic, Class<? extends SpecificRecord> type) {
        register(config, Map.of(topic, type));
        return topic + "-value";
    }

    /**
     * Registers {@code type} under {@code subject} as is, the artifact {@link #subjectSerializer()} writes with, such
     * as a task's output under {@code tally.tasks.<type>.output}; returns the artifact id. Idempotent.
     */
    public String registerSubjectContract(String subject, Class<? extends SpecificRecord> type) {
        register(subjectConfig(), Map.of(subject, type));
        return subject;
    }

    /**
     * Registers task type {@code taskType}'s contract (ADR 0016): {@code input} as the value of
     * {@code tally.tasks.<type>}, and {@code output}, when not null, under {@code tally.tasks.<type>.output}; returns
     * the artifact ids. Idempotent.
     */
    public List<String> registerTaskContract(String taskType, Class<? extends SpecificRecord> input,
                                             Class<? extends SpecificRecord> output) {
        List<String> artifacts = new ArrayList<>();
        artifacts.add(registerValueContract(TaskHeaders.requestTopic(taskType), input));
        if (output != null) {
            artifacts.add(registerSubjectContract(TaskHeaders.outputSubject(taskType), output));
        }
        return artifacts;
    }

    /** Resolves each type's schema for its topic through a registering serializer configured as {@code base}. */
    private void register(Map<String, Object> base, Map<String, Class<? extends SpecificRecord>> typesByTopic) {
        Map<String, Object> registering = new HashMap<>(base);
        registering.put("apicurio.registry.auto-register", true);
        try (AvroKafkaSerializer<SpecificRecord> serializer = client == null ? new AvroKafkaSerializer<>()
                : new AvroKafkaSerializer<>(client)) {
            serializer.configure(registering, false);
            // Retried like a producer's registration: instances starting together race on a new artifact.
            RetryTemplate retry = new RetryTemplate(RetryingSerializer.REGISTRY_HICCUPS);
            // An empty instance is enough: the resolver only asks the record for its schema.
            typesByTopic.forEach((topic, type) -> retry.invoke(() -> serializer.getSchemaResolver().resolveSchema(
                    new SerdeRecord<>(new SerdeMetadata(topic, false), newInstance(type)))));
        }
    }

    private static SpecificRecord newInstance(Class<? extends SpecificRecord> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Generated Avro class " + type.getName() + " has no default constructor", e);
        }
    }

    /** The settings the serdes are configured with. */
    public Map<String, Object> config() {
        return config;
    }

    /** A value serde for a catalogue topic: Avro for records, raw bytes for dead-letter topics. */
    @SuppressWarnings("unchecked")
    public <V> Serde<V> valueSerde(TopicSpec<V> topic) {
        if (topic.valueType() == byte[].class) {
            return (Serde<V>) Serdes.ByteArray();
        }
        return (Serde<V>) serde(topic.valueType().asSubclass(SpecificRecord.class));
    }

    /** A value serde for one Avro record type. */
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return Serdes.serdeFrom(serializer(), deserializer(type));
    }

    /** A configured value serializer; a failed schema registration is retried (see {@link RetryingSerializer}). */
    public <T extends SpecificRecord> Serializer<T> serializer() {
        AvroKafkaSerializer<T> serializer = client == null ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(client);
        serializer.configure(config, false);
        return new RetryingSerializer<>(serializer, RetryingSerializer.REGISTRY_HICCUPS);
    }

    /**
     * A serializer that registers each schema under the name passed to it as the topic, as is (Apicurio's
     * {@code SimpleTopicIdStrategy}: no {@code -value} suffix). For typed payloads framed inside another record, such
     * as a task's output under {@code tally.tasks.<type>.output} (ADR 0016): call {@code serialize(subject, value)}.
     */
    public <T extends SpecificRecord> Serializer<T> subjectSerializer() {
        AvroKafkaSerializer<T> serializer = client == null ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(client);
        serializer.configure(subjectConfig(), false);
        return new RetryingSerializer<>(serializer, RetryingSerializer.REGISTRY_HICCUPS);
    }

    /** The settings with the artifact named by the subject as is (Apicurio's {@code SimpleTopicIdStrategy}). */
    private Map<String, Object> subjectConfig() {
        Map<String, Object> subjectConfig = new HashMap<>(config);
        subjectConfig.put("apicurio.registry.artifact-resolver-strategy", SimpleTopicIdStrategy.class.getName());
        return subjectConfig;
    }

    /** A configured value deserializer that rejects bad input with a clear reason (see {@link ExplainingAvroDeserializer}). */
    public <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return new ExplainingAvroDeserializer<>(avroDeserializer(), topic -> type);
    }

    /**
     * A deserializer for any catalogue topic (and its retry topics): it checks each value against the type the
     * catalogue declares for the topic it came from. For Spring Kafka consumers that read several topics.
     */
    public Deserializer<SpecificRecord> catalogueDeserializer() {
        return new ExplainingAvroDeserializer<>(avroDeserializer(), Topics::recordTypeOf);
    }

    private AvroKafkaDeserializer<Object> avroDeserializer() {
        AvroKafkaDeserializer<Object> deserializer = client == null ? new AvroKafkaDeserializer<>() : new AvroKafkaDeserializer<>(client);
        deserializer.configure(config, false);
        return deserializer;
    }

    /**
     * A serializer of generic records: values whose type a service knows only from the registry, such as the engine's
     * task inputs. It looks schemas up and never registers them (a task type's worker owns its contract).
     */
    public Serializer<org.apache.avro.generic.GenericRecord> genericSerializer() {
        Map<String, Object> lookingUp = new HashMap<>(config);
        lookingUp.put("apicurio.registry.auto-register", false);
        AvroKafkaSerializer<org.apache.avro.generic.GenericRecord> serializer =
                client == null ? new AvroKafkaSerializer<>() : new AvroKafkaSerializer<>(client);
        serializer.configure(lookingUp, false);
        return serializer;
    }

    /** A deserializer that reads any registered Avro value as a generic record, such as a task's output. */
    public Deserializer<org.apache.avro.generic.GenericRecord> genericDeserializer() {
        Map<String, Object> generic = new HashMap<>(config);
        generic.put("apicurio.registry.use-specific-avro-reader", false);
        AvroKafkaDeserializer<org.apache.avro.generic.GenericRecord> deserializer =
                client == null ? new AvroKafkaDeserializer<>() : new AvroKafkaDeserializer<>(client);
        deserializer.configure(generic, false);
        return deserializer;
    }

    /** The registry URL the serdes use, or null for an in-memory client. */
    public String registryUrl() {
        return client == null ? (String) config.get("apicurio.registry.url") : null;
    }

    /**
     * A serializer for Spring Kafka templates that send both Avro records and raw bytes (dead letters keep the
     * original bytes of records that could not be read).
     */
    public Serializer<Object> recordOrBytesSerializer() {
        return new DelegatingByTypeSerializer(Map.of(
                byte[].class, new ByteArraySerializer(),
                SpecificRecord.class, serializer()), true);
    }
}
