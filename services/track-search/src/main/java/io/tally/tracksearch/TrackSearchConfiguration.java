package io.tally.tracksearch;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.TaskRetryTopics;
import io.tally.worker.WorkerProperties;
import io.tally.worker.ratelimit.ConsumerGroupSize;
import io.tally.worker.ratelimit.GroupAwareJitter;
import io.tally.worker.ratelimit.Throttle;
import io.tally.tracksearch.youtube.YouTubeSearchAdapter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.web.client.RestClient;

/**
 * Wires the worker: the adapter chosen by {@code tally.search.adapter}, the non-blocking retry topics with
 * exponential back-off, and the catalogue's dead-letter topic at the end of the chain; and, side by side with that
 * legacy listener, the {@code search-track} task of the worker SDK.
 */
@Configuration(proxyBeanMethods = false)
class TrackSearchConfiguration {

    private static final String YOUTUBE_SELECTED = "'${tally.search.adapter:offline}'.equalsIgnoreCase('youtube')";
    private static final String OFFLINE_SELECTED = "!" + YOUTUBE_SELECTED;

    @Bean
    @ConditionalOnExpression(OFFLINE_SELECTED)
    TrackSearchAdapter offlineCatalogAdapter(SearchProperties properties) {
        return new OfflineCatalogAdapter(properties.offline());
    }

    /** Closed with the context: it owns an admin client. */
    @Bean
    @ConditionalOnExpression(YOUTUBE_SELECTED)
    ConsumerGroupSize searchGroupSize(KafkaAdmin admin, SearchProperties properties,
                                      @Value("${spring.kafka.consumer.group-id}") String groupId) {
        return new ConsumerGroupSize(admin.getConfigurationProperties(), groupId, properties.youtube().groupSizeRefresh());
    }

    @Bean
    @ConditionalOnExpression(YOUTUBE_SELECTED)
    TrackSearchAdapter youTubeSearchAdapter(ObjectProvider<RestClient.Builder> restClients, SearchProperties properties,
                                            ConsumerGroupSize groupSize, MeterRegistry meters) {
        // Boot 4 only provides a RestClient.Builder bean with its RestClient module, which this service does not have.
        RestClient.Builder restClient = restClients.getIfAvailable(RestClient::builder);
        SearchProperties.YouTube youtube = properties.youtube();
        Throttle throttle = new Throttle(youtube.requestsPerSecond(),
                new GroupAwareJitter(youtube.baseJitter(), groupSize));
        return new YouTubeSearchAdapter(restClient, youtube, throttle, meters, Clock.systemUTC());
    }

    @Bean
    SearchMetrics searchMetrics(MeterRegistry registry, SearchProperties properties) {
        return new SearchMetrics(registry, properties.adapter().tag());
    }

    @Bean(TrackSearchWorker.BEAN_NAME)
    TrackSearchWorker trackSearchWorker(TrackSearchAdapter adapter, KafkaTemplate<String, Object> template,
                                        SearchMetrics metrics, SearchProperties properties) {
        return new TrackSearchWorker(adapter, properties.adapter().tag(), template, metrics, properties, Clock.systemUTC());
    }

    /**
     * Attempts on {@code <requests>-retry-N} topics with exponential back-off, then the dead-letter topic. Adapter
     * errors that retrying cannot fix and invalid requests skip the retries; unreadable records are never retried
     * either (Spring's defaults). A failing DLT handler is logged, not re-sent to the DLT, so a record that cannot
     * be read there cannot loop.
     */
    @Bean
    RetryTopicConfiguration searchRetryTopics(KafkaTemplate<String, Object> template, SearchProperties properties,
                                              TallyKafkaProperties kafka) {
        SearchProperties.Retry retry = properties.retry();
        return RetryTopicConfigurationBuilder.newInstance()
                .includeTopic(Topics.SEARCH_REQUESTS.name())
                .maxAttempts(retry.attempts())
                .exponentialBackoff(retry.initialDelay().toMillis(), retry.multiplier(), retry.maxDelay().toMillis())
                .notRetryOn(List.of(NonRetryableSearchException.class, PoisonRecordException.class))
                .traversingCauses()
                // Retry topics get the partitions of the main topic so keys keep their spread; the DLT itself is a
                // catalogue topic, and Spring's KafkaAdmin prefers the catalogue definition over this one.
                .autoCreateTopicsWith(Topics.SEARCH_REQUESTS.partitions(), kafka.replicationFactor())
                .dltHandlerMethod(TrackSearchWorker.BEAN_NAME, TrackSearchWorker.DLT_METHOD)
                .doNotRetryOnDltFailure()
                .create(template);
    }

    /**
     * Replaces Spring's {@code -dlt} suffix with the catalogue's dead-letter topic name, and lets the producer pick
     * the DLT partition (the DLT has fewer partitions than the requests topic; retry topics keep the partition).
     * Spring takes one such bean for every chain of the application, so it also ends the {@code search-track} task's
     * chain, in {@code tally.dlt.tasks.search-track} (the worker SDK's own bean backs off when this one exists).
     */
    @Bean
    RetryTopicComponentFactory searchRetryTopicComponentFactory() {
        return TaskRetryTopics.componentFactory(Topics.TRACK_SEARCH_DLT);
    }

    /**
     * The {@code search-track} task, beside the legacy listener: the same adapter and metrics, the track's row written
     * to the tracks table with {@code tally.search.send-timeout}. Its retries are the worker SDK's
     * ({@code tally.worker.tasks.search-track.retry.*}, else {@code tally.worker.retry.*}), so the handler counts a
     * failure as retried against those attempts, not {@code tally.search.retry.attempts}.
     */
    @Bean
    TaskHandler<SearchTrackInput, SearchTrackOutput> searchTrackTask(TrackSearchAdapter adapter,
                                                                      KafkaTemplate<String, Object> template,
                                                                      SearchMetrics metrics, SearchProperties properties,
                                                                      WorkerProperties worker) {
        WorkerProperties.Retry retry = worker.retry(SearchTrackHandler.TASK_TYPE);
        SearchProperties taskProperties = new SearchProperties(properties.adapter(), new SearchProperties.Retry(
                retry.attempts(), retry.initialDelay(), retry.multiplier(), retry.maxDelay()), properties.offline(),
                properties.youtube(), properties.sendTimeout());
        SearchTrackHandler.TrackTable tracks = row -> template.send(Topics.TRACKS.name(), row.getTrackKey(), row)
                .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return TaskHandler.of(SearchTrackHandler.TASK_TYPE, SearchTrackInput.class, SearchTrackOutput.class,
                new SearchTrackHandler(adapter, properties.adapter().tag(), metrics, taskProperties, tracks,
                        Clock.systemUTC()));
    }
}
