package io.tally.playlist;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.kafka.TransactionalOutcomes;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.TaskRetryTopics;
import io.tally.worker.WorkerProperties;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.web.client.RestClient;

/**
 * Picks the adapter from {@code tally.playlist.adapter}, wires the tables ({@link PlaylistTopology}) into Spring Kafka's
 * streams lifecycle, the {@code build-playlist} task of the worker SDK, and the delivery consumer
 * ({@link PlaylistDelivery}) with its retry topics and transactional outcome producer.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class PlaylistConfiguration {

    @Bean
    PlaylistAdapter playlistAdapter(PlaylistProperties config, ObjectProvider<RestClient.Builder> restClients,
                                    MeterRegistry meters) {
        return switch (config.adapter()) {
            case FILE -> new FilePlaylistAdapter(config.file().outputDir());
            case YOUTUBE -> new YouTubePlaylistAdapter(restClients.getIfAvailable(RestClient::builder), config.youtube(),
                    meters, Clock.systemUTC(), config.delivery().maxDuration());
        };
    }

    @Bean
    PlaylistMetrics playlistMetrics(MeterRegistry meters, PlaylistAdapter adapter) {
        return new PlaylistMetrics(meters, adapter.name());
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer playlistTopology(AvroSerdes serdes) {
        return StreamsWiring.builder(Topics.PLAYLIST_SERVICE_DLT, builder -> PlaylistTopology.addTo(builder, serdes));
    }

    /** The producer of delivery outcomes: Boot's producer settings, transactional under its own id prefix. */
    @Bean
    TransactionalOutcomes playlistOutcomes(ProducerFactory<?, ?> producers, AvroSerdes serdes, PlaylistProperties config) {
        return new TransactionalOutcomes(producers.getConfigurationProperties(), serdes, config.delivery().transactionIdPrefix());
    }

    @Bean(PlaylistDelivery.BEAN_NAME)
    PlaylistDelivery playlistDelivery(PlaylistAdapter adapter, PlaylistMetrics metrics, TransactionalOutcomes outcomes) {
        return new PlaylistDelivery(adapter, metrics, outcomes);
    }

    /**
     * Failed deliveries wait on {@code tally.playlists.requested-retry-<ms>} topics with exponential back-off
     * ({@code tally.playlist.retry.*}), then go to the service's dead-letter topic. Invalid intents skip the
     * retries; unreadable records are never retried (Spring's defaults). A failing DLT handler is logged, not re-sent.
     */
    @Bean
    RetryTopicConfiguration playlistRetryTopics(KafkaTemplate<String, Object> template, PlaylistProperties config,
                                                TallyKafkaProperties kafka) {
        PlaylistProperties.Retry retry = config.retry();
        return RetryTopicConfigurationBuilder.newInstance()
                .includeTopic(Topics.PLAYLISTS_REQUESTED.name())
                .maxAttempts(retry.attempts())
                .exponentialBackoff(retry.initialDelay().toMillis(), retry.multiplier(), retry.maxDelay().toMillis())
                // Another attempt in minutes cannot fix a refused authorization or a spent quota: straight to the DLT.
                .notRetryOn(List.of(PoisonRecordException.class, PlaylistRefusedException.class))
                .traversingCauses()
                .autoCreateTopicsWith(Topics.PLAYLISTS_REQUESTED.partitions(), kafka.replicationFactor())
                .dltHandlerMethod(PlaylistDelivery.BEAN_NAME, PlaylistDelivery.DLT_METHOD)
                .doNotRetryOnDltFailure()
                .create(template);
    }

    /**
     * The chain ends in {@code tally.dlt.playlist-service} instead of Spring's {@code -dlt} topic. Spring takes one such
     * bean for every chain of the application, so it also ends the {@code build-playlist} task's chain, in
     * {@code tally.dlt.tasks.build-playlist} (the worker SDK's own bean backs off when this one exists).
     */
    @Bean
    RetryTopicComponentFactory playlistRetryTopicComponentFactory() {
        return TaskRetryTopics.componentFactory(Topics.PLAYLIST_SERVICE_DLT);
    }

    /**
     * The {@code build-playlist} task: the adapter and metrics the endpoint uses too, the tables read from the
     * topology's global stores ({@link PlaylistTables}), and the {@code PlaylistCreated} written with the worker SDK's
     * {@code tally.worker.send-timeout}.
     */
    @Bean
    TaskHandler<BuildPlaylistInput, BuildPlaylistOutput> buildPlaylistTask(PlaylistAdapter adapter, PlaylistMetrics metrics,
                                                                            StreamsBuilderFactoryBean streams,
                                                                            KafkaTemplate<String, Object> template,
                                                                            WorkerProperties worker) {
        BuildPlaylistHandler.Created created = playlist -> template.send(Topics.PLAYLISTS_CREATED.name(),
                playlist.getJobId(), playlist).get(worker.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return TaskHandler.of(BuildPlaylistHandler.TASK_TYPE, BuildPlaylistInput.class, BuildPlaylistOutput.class,
                new BuildPlaylistHandler(adapter, metrics, new PlaylistTables(streams), created, Clock.systemUTC()));
    }
}
