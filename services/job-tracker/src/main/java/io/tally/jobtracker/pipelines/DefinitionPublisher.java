package io.tally.jobtracker.pipelines;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.pipelines.PublishedDefinitions;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.events.PipelineDefinitionPublished;
import io.tally.pipeline.PipelineCatalog;
import io.tally.pipeline.PipelineDefinition;
import io.tally.pipeline.StageSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the definitions of the pipelines folder to the compacted definitions topic and creates each task type's
 * request and dead-letter topics (the catalogue's specs), before the engine's streams start (so no trigger can meet an engine that has not seen its pipeline
 * yet). A file whose version is already published with other content is refused: a running job must always find the
 * exact version it started with, so a change needs a new version number.
 */
public final class DefinitionPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(DefinitionPublisher.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> kafka;
    private final AvroSerdes serdes;
    private final TallyKafkaProperties topics;

    public DefinitionPublisher(Map<String, Object> kafka, AvroSerdes serdes, TallyKafkaProperties topics) {
        this.kafka = kafka;
        this.serdes = serdes;
        this.topics = topics;
    }

    /**
     * Publishes every definition of {@code catalog} that is not on the topic yet.
     *
     * @return the keys ({@code <name>@<version>}) it published
     * @throws IllegalStateException when a published version has other content than its file
     */
    public List<String> publish(PipelineCatalog catalog) {
        createTopics(catalog);
        Map<String, PipelineDefinitionPublished> published = readPublished();
        List<String> added = new ArrayList<>();
        try (KafkaProducer<String, PipelineDefinitionPublished> producer = new KafkaProducer<>(producerConfig(),
                new StringSerializer(), serdes.<PipelineDefinitionPublished>serializer())) {
            for (PipelineDefinition definition : catalog.all()) {
                String key = PublishedDefinitions.key(definition.name(), definition.version());
                PipelineDefinitionPublished record = PublishedDefinitions.of(definition, Instant.now());
                PipelineDefinitionPublished existing = published.get(key);
                if (existing != null && existing.getSha256().equals(record.getSha256())) {
                    continue;
                }
                if (existing != null) {
                    throw new IllegalStateException(("%s: version %d of pipeline %s is already published with other "
                            + "content (from %s); give the changed file a higher version")
                            .formatted(definition.source().file(), definition.version(), definition.name(), existing.getFile()));
                }
                producer.send(new ProducerRecord<>(Topics.PIPELINE_DEFINITIONS.name(), key, record)).get();
                added.add(key);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing pipeline definitions", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish pipeline definitions: " + e.getCause().getMessage(), e);
        }
        LOG.info("Pipeline definitions: {} published now, {} in the folder", added, catalog.all().size());
        return added;
    }

    /** Loads the folder's catalogue; a folder that does not exist is an error, since it was configured. */
    public static PipelineCatalog load(java.nio.file.Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("tally.pipelines.dir is " + dir.toAbsolutePath() + ", which is not a folder");
        }
        return PipelineCatalog.load(dir);
    }

    private void createTopics(PipelineCatalog catalog) {
        Set<String> taskTypes = new TreeSet<>();
        catalog.all().forEach(definition -> definition.stages().stream().map(StageSpec::task).forEach(taskTypes::add));
        List<NewTopic> wanted = new ArrayList<>();
        wanted.add(Topics.PIPELINE_DEFINITIONS.toNewTopic(Topics.PIPELINE_DEFINITIONS.partitions(), topics.replicationFactor()));
        for (String type : taskTypes) {
            // Both exist before any worker does, so a request or a dead letter never waits for a worker to start.
            wanted.add(Topics.taskRequests(TaskHeaders.requestTopic(type)).orElseThrow()
                    .toNewTopic(topics.partitions(), topics.replicationFactor()));
            TopicSpec<byte[]> deadLetters = Topics.taskDeadLetters(TaskHeaders.deadLetterTopic(type)).orElseThrow();
            wanted.add(deadLetters.toNewTopic(deadLetters.partitions(), topics.replicationFactor()));
        }
        try (Admin admin = Admin.create(kafka)) {
            for (NewTopic topic : wanted) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + topic.name() + ": "
                                + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating task topics", e);
        }
    }

    private Map<String, PipelineDefinitionPublished> readPublished() {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, PipelineDefinitionPublished> published = new HashMap<>();
        try (KafkaConsumer<String, PipelineDefinitionPublished> consumer = new KafkaConsumer<>(config,
                new StringDeserializer(), serdes.deserializer(PipelineDefinitionPublished.class))) {
            for (ConsumerRecord<String, PipelineDefinitionPublished> record : FromStart.readToEnd(consumer,
                    List.of(Topics.PIPELINE_DEFINITIONS.name()), READ_TIMEOUT)) {
                if (record.value() == null) {
                    published.remove(record.key());
                } else {
                    published.put(record.key(), record.value());
                }
            }
        }
        return published;
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return config;
    }
}
