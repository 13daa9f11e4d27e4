package io.tally.media;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import io.tally.media.history.DeadLetterHistory;
import io.tally.media.history.MediaHistory;
import io.tally.media.source.FixtureMetadata;
import io.tally.media.source.MediaMetadata;
import io.tally.media.source.YtDlpMetadata;
import io.tally.tasks.media.ExtractSourceInput;
import io.tally.tasks.media.ExtractSourceOutput;
import io.tally.tasks.media.MediaHistoryEntry;
import io.tally.tasks.media.PickNewItemsInput;
import io.tally.tasks.media.PickNewItemsOutput;
import io.tally.tasks.media.ProcessVideoInput;
import io.tally.tasks.media.ProcessVideoOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.WorkerProperties;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Wires seed 002: the metadata adapter ({@code tally.media.metadata.adapter}), the history topic (its contract
 * registered and, with {@code tally.worker.create-topics}, the topic created), the three task handlers and the
 * dead-letter listener that records DEAD_LETTERED videos.
 */
@Configuration(proxyBeanMethods = false)
class MediaConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MediaConfiguration.class);

    /** The dead-letter listener's container factory. */
    static final String DEAD_LETTERS_FACTORY = "mediaDeadLettersFactory";

    @Bean
    MediaMetadata mediaMetadata(MediaProperties properties) {
        MediaProperties.Metadata settings = properties.metadata();
        if (settings.adapter() == MediaProperties.Adapter.YT_DLP) {
            LOG.info("Media metadata: yt-dlp adapter, executable {}", settings.executable());
            return new YtDlpMetadata(settings.executable(), settings.timeout());
        }
        LOG.info("Media metadata: fixture adapter (bundled sample playlist {} and channel {}, no network)",
                FixtureMetadata.PLAYLIST_URL, FixtureMetadata.CHANNEL_URL);
        return new FixtureMetadata();
    }

    /** Registers the history record under {@code tally.media.history-value} before anything writes it (ADR 0011). */
    @Bean
    HistoryContract mediaHistoryContract(AvroSerdes serdes) {
        serdes.registerValueContract(Topics.MEDIA_HISTORY.name(), MediaHistoryEntry.class);
        return new HistoryContract();
    }

    /** Marker of the registered history contract: beans that write the history depend on it. */
    record HistoryContract() {
    }

    /**
     * The history topic is this service's own, not in the catalogue's {@code ALL} that a platform creates, so it
     * follows {@code tally.worker.create-topics}, as the task topics do.
     */
    @Bean
    KafkaAdmin.NewTopics mediaTopics(TallyKafkaProperties kafka, WorkerProperties worker) {
        if (!worker.createsTopics(kafka.createTopics())) {
            return new KafkaAdmin.NewTopics();
        }
        return new KafkaAdmin.NewTopics(Topics.MEDIA_HISTORY.toNewTopic(Topics.MEDIA_HISTORY.partitions(),
                kafka.replicationFactor()));
    }

    @Bean
    MediaHistory mediaHistory(KafkaTemplate<String, Object> template, ConsumerFactory<?, ?> consumers, AvroSerdes serdes,
                              MediaProperties properties, HistoryContract contract) {
        Map<String, Object> config = new HashMap<>(consumers.getConfigurationProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new MediaHistory(template, () -> new KafkaConsumer<>(config, new StringDeserializer(),
                serdes.deserializer(MediaHistoryEntry.class)), properties.history().timeout());
    }

    @Bean
    TaskHandler<ExtractSourceInput, ExtractSourceOutput> extractSource(MediaMetadata metadata) {
        return TaskHandler.of(ExtractSourceHandler.TASK_TYPE, ExtractSourceInput.class, ExtractSourceOutput.class,
                new ExtractSourceHandler(metadata));
    }

    @Bean
    TaskHandler<PickNewItemsInput, PickNewItemsOutput> pickNewItems(MediaHistory history, MediaProperties properties,
                                                                     Clock clock) {
        return TaskHandler.of(PickNewItemsHandler.TASK_TYPE, PickNewItemsInput.class, PickNewItemsOutput.class,
                new PickNewItemsHandler(history, properties.pick().requestedTtl(), clock));
    }

    @Bean
    TaskHandler<ProcessVideoInput, ProcessVideoOutput> processVideo(MediaMetadata metadata, MediaHistory history,
            WorkerProperties worker, @Value("${spring.application.name:media-workers}") String application, Clock clock) {
        // The SDK's own name for this instance, so the history and the task results name the same worker.
        String instance = worker.instanceId().isBlank()
                ? application + "-" + System.getenv().getOrDefault("HOSTNAME", "local") : worker.instanceId();
        return TaskHandler.of(ProcessVideoHandler.TASK_TYPE, ProcessVideoInput.class, ProcessVideoOutput.class,
                new ProcessVideoHandler(metadata, history, instance, clock));
    }

    /** Raw dead letters (decoded by {@link DeadLetterHistory}); a history write that fails is retried with back-off. */
    @Bean(DEAD_LETTERS_FACTORY)
    ConcurrentKafkaListenerContainerFactory<String, byte[]> mediaDeadLettersFactory(ConsumerFactory<?, ?> consumers) {
        Map<String, Object> config = new HashMap<>(consumers.getConfigurationProperties());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ConcurrentKafkaListenerContainerFactory<String, byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(),
                new ByteArrayDeserializer()));
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        factory.setCommonErrorHandler(new DefaultErrorHandler(backOff));
        return factory;
    }

    @Bean
    DeadLetterListener mediaDeadLetterListener(MediaHistory history, AvroSerdes serdes, Clock clock) {
        return new DeadLetterListener(new DeadLetterHistory(history, serdes.deserializer(ProcessVideoInput.class), clock));
    }

    /** {@link DeadLetterHistory} as a {@code @KafkaListener} of {@code tally.dlt.tasks.process-video}. */
    public static final class DeadLetterListener {

        private final DeadLetterHistory history;

        DeadLetterListener(DeadLetterHistory history) {
            this.history = history;
        }

        @KafkaListener(id = "media-dead-letters", topics = "tally.dlt.tasks.process-video",
                groupId = "${tally.media.history.group-id:tally-media-history}", containerFactory = DEAD_LETTERS_FACTORY)
        public void onDeadLetter(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
            history.onDeadLetter(record);
        }
    }
}
