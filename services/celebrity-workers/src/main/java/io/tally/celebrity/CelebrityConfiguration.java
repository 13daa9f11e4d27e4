package io.tally.celebrity;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.celebrity.enrich.BadEntryException;
import io.tally.celebrity.enrich.PostProcessor;
import io.tally.celebrity.quality.CheckCelebrityQualityHandler;
import io.tally.celebrity.quality.PostProcessingLag;
import io.tally.celebrity.source.CelebritySource;
import io.tally.celebrity.source.NewsApiSource;
import io.tally.celebrity.source.OfflineSource;
import io.tally.celebrity.source.Roster;
import io.tally.celebrity.source.SocialSource;
import io.tally.celebrity.source.TmdbSource;
import io.tally.celebrity.source.WikipediaSource;
import io.tally.celebrity.view.TopicTable;
import io.tally.common.errors.DeadLetterErrorHandlers;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.tasks.celebrity.CelebrityEntry;
import io.tally.tasks.celebrity.CelebrityProfile;
import io.tally.tasks.celebrity.CheckCelebrityQualityInput;
import io.tally.tasks.celebrity.CheckCelebrityQualityOutput;
import io.tally.tasks.celebrity.CollectCelebritiesInput;
import io.tally.tasks.celebrity.CollectCelebritiesOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.WorkerProperties;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;
import org.springframework.web.client.RestClient;

/**
 * Wires seed 001: the roster, each source's adapter ({@code tally.celebrities.<source>.adapter}), the four source tasks
 * and the quality check as worker SDK handlers, the entity and profile topics (their contracts registered and, with
 * {@code tally.kafka.create-topics}, the topics created), the two topic views, and the post-processor's batch listener
 * with its dead-letter error handler.
 */
@Configuration(proxyBeanMethods = false)
class CelebrityConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CelebrityConfiguration.class);

    /** The post-processor's container factory. */
    static final String ENTRIES_FACTORY = "celebrityEntriesFactory";

    @Bean
    Roster celebrityRoster(CelebrityProperties properties, ResourceLoader resources) {
        Roster roster = Roster.read(resources.getResource(properties.roster()));
        LOG.info("Celebrity roster: {} celebrities from {}", roster.size(), properties.roster());
        return roster;
    }

    /**
     * Registers the entity and profile records under {@code <topic>-value} before anything writes them (ADR 0011:
     * contracts before producers); registering the same schema again adds no version.
     */
    @Bean
    CelebrityContracts celebrityContracts(AvroSerdes serdes) {
        serdes.registerValueContract(Topics.CELEBRITY_ENTRIES.name(), CelebrityEntry.class);
        serdes.registerValueContract(Topics.CELEBRITY_PROFILES.name(), CelebrityProfile.class);
        return new CelebrityContracts();
    }

    /** Marker of registered contracts: beans that write or read the topics depend on it. */
    record CelebrityContracts() {
    }

    /**
     * The entity, profile and dead-letter topics. They are this service's own, not in the catalogue's {@code ALL} that a
     * platform (or the local stack) creates, so they follow {@code tally.worker.create-topics}, as the task topics do.
     */
    @Bean
    KafkaAdmin.NewTopics celebrityTopics(TallyKafkaProperties kafka, WorkerProperties worker) {
        if (!worker.createsTopics(kafka.createTopics())) {
            return new KafkaAdmin.NewTopics();
        }
        return new KafkaAdmin.NewTopics(newTopic(Topics.CELEBRITY_ENTRIES, kafka), newTopic(Topics.CELEBRITY_PROFILES, kafka),
                newTopic(Topics.CELEBRITY_POST_PROCESSOR_DLT, kafka));
    }

    private static NewTopic newTopic(TopicSpec<?> topic, TallyKafkaProperties kafka) {
        return topic.toNewTopic(topic.name().startsWith("tally.dlt.") ? topic.partitions() : kafka.partitions(),
                kafka.replicationFactor());
    }

    /** What the four source tasks share: the roster, the writer and the clock, and how each picks its adapter. */
    @Bean
    SourceTasks celebritySourceTasks(CelebrityProperties properties, RestClient.Builder http, Roster roster,
                                     KafkaTemplate<String, Object> template, Clock clock, CelebrityContracts contracts) {
        return new SourceTasks(properties, http, roster, template, clock);
    }

    @Bean
    TaskHandler<CollectCelebritiesInput, CollectCelebritiesOutput> collectTmdb(SourceTasks tasks) {
        return tasks.collect(CelebrityProperties::tmdb, OfflineSource::tmdb, TmdbSource::new);
    }

    @Bean
    TaskHandler<CollectCelebritiesInput, CollectCelebritiesOutput> collectWikipedia(SourceTasks tasks) {
        return tasks.collect(CelebrityProperties::wikipedia, OfflineSource::wikipedia, WikipediaSource::new);
    }

    @Bean
    TaskHandler<CollectCelebritiesInput, CollectCelebritiesOutput> collectNews(SourceTasks tasks) {
        return tasks.collect(CelebrityProperties::news, OfflineSource::news, NewsApiSource::new);
    }

    @Bean
    TaskHandler<CollectCelebritiesInput, CollectCelebritiesOutput> collectSocial(SourceTasks tasks) {
        return tasks.collect(CelebrityProperties::social, OfflineSource::social, SocialSource::new);
    }

    /** Builds a source task over the adapter its {@code tally.celebrities.<source>.adapter} names. */
    record SourceTasks(CelebrityProperties properties, RestClient.Builder http, Roster roster,
                       KafkaTemplate<String, Object> template, Clock clock) {

        TaskHandler<CollectCelebritiesInput, CollectCelebritiesOutput> collect(
                Function<CelebrityProperties, CelebrityProperties.Http> settingsOf, Supplier<CelebritySource> offline,
                BiFunction<RestClient.Builder, CelebrityProperties.Http, CelebritySource> real) {
            CelebrityProperties.Http settings = settingsOf.apply(properties);
            boolean live = settings.adapter() == CelebrityProperties.Adapter.HTTP;
            CelebritySource source = live ? real.apply(http, settings) : offline.get();
            LOG.info("Celebrity source {}: {} adapter{}", source.source(), source.adapter(),
                    live ? " at " + settings.baseUrl() : " (bundled sample data, no network)");
            return TaskHandler.of(CollectCelebritiesHandler.taskType(source.source()), CollectCelebritiesInput.class,
                    CollectCelebritiesOutput.class, new CollectCelebritiesHandler(source, roster, template, clock));
        }
    }

    @Bean
    TopicTable<CelebrityEntry> celebrityEntriesView(KafkaProperties kafka, AvroSerdes serdes, CelebrityContracts contracts) {
        return new TopicTable<>(Topics.CELEBRITY_ENTRIES.name(), String.join(",", kafka.getBootstrapServers()),
                serdes.deserializer(CelebrityEntry.class));
    }

    @Bean
    TopicTable<CelebrityProfile> celebrityProfilesView(KafkaProperties kafka, AvroSerdes serdes, CelebrityContracts contracts) {
        return new TopicTable<>(Topics.CELEBRITY_PROFILES.name(), String.join(",", kafka.getBootstrapServers()),
                serdes.deserializer(CelebrityProfile.class));
    }

    @Bean(destroyMethod = "close")
    Admin celebrityAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }

    @Bean
    TaskHandler<CheckCelebrityQualityInput, CheckCelebrityQualityOutput> checkCelebrityQuality(
            TopicTable<CelebrityEntry> entries, TopicTable<CelebrityProfile> profiles, Admin admin,
            CelebrityProperties properties, MeterRegistry meters) {
        return TaskHandler.of(CheckCelebrityQualityHandler.TASK_TYPE, CheckCelebrityQualityInput.class,
                CheckCelebrityQualityOutput.class, new CheckCelebrityQualityHandler(entries, profiles,
                        new PostProcessingLag(admin, properties.postProcessor().groupId()),
                        properties.quality().catchUpWait(), meters));
    }

    @Bean
    PostProcessorListener celebrityPostProcessor(AvroSerdes serdes, TopicTable<CelebrityProfile> profiles,
            KafkaTemplate<String, Object> template, Clock clock, MeterRegistry meters) {
        return new PostProcessorListener(new PostProcessor(serdes.deserializer(CelebrityEntry.class), profiles, template,
                clock, meters));
    }

    /**
     * Batches of raw entry records (decoded by the post-processor, so an unreadable one is dead-lettered with its bytes
     * as they were), up to {@code max-poll-records}, committed only; failures go through Spring Kafka's
     * {@code DefaultErrorHandler}: a bad entry straight to {@code tally.dlt.celebrity-post-processor}, anything else
     * (profiles that could not be written) retried with back-off.
     */
    @Bean(ENTRIES_FACTORY)
    ConcurrentKafkaListenerContainerFactory<String, byte[]> celebrityEntriesFactory(ConsumerFactory<?, ?> consumers,
            CelebrityProperties properties, KafkaTemplate<String, Object> template) {
        // Boot's consumer settings (bootstrap servers, security), with this listener's own deserializers and batch size.
        Map<String, Object> config = new HashMap<>(consumers.getConfigurationProperties());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.postProcessor().maxPollRecords());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        ConcurrentKafkaListenerContainerFactory<String, byte[]> factory = new ConcurrentKafkaListenerContainerFactory<>();
        factory.setConsumerFactory(new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(),
                new ByteArrayDeserializer()));
        factory.setBatchListener(true);
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        DefaultErrorHandler errors = DeadLetterErrorHandlers.publishingTo(template, Topics.CELEBRITY_POST_PROCESSOR_DLT,
                backOff);
        errors.addNotRetryableExceptions(BadEntryException.class);
        // The post-processor logs each bad entry with its reason in one line; Spring's stack trace of the seek adds nothing.
        errors.setLogLevel(KafkaException.Level.DEBUG);
        factory.setCommonErrorHandler(errors);
        return factory;
    }

    /** The post-processor as a batch {@code @KafkaListener} of the entity topic. */
    public static final class PostProcessorListener {

        private final PostProcessor processor;

        PostProcessorListener(PostProcessor processor) {
            this.processor = processor;
        }

        @KafkaListener(id = "celebrity-post-processor", topics = "tally.celebrities.entries",
                groupId = "${tally.celebrities.post-processor.group-id:tally-celebrity-post-processor}",
                containerFactory = ENTRIES_FACTORY, batch = "true")
        public void onBatch(java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> batch) {
            processor.onBatch(batch);
        }
    }
}
