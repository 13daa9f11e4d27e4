package io.tally.tracksearch;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.WorkerProperties;
import io.tally.worker.ratelimit.ConsumerGroupSize;
import io.tally.worker.ratelimit.GroupAwareJitter;
import io.tally.worker.ratelimit.Throttle;
import io.tally.tracksearch.youtube.YouTubeSearchAdapter;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.client.RestClient;

/**
 * Wires the {@code search-track} task of the worker SDK: the adapter chosen by {@code tally.search.adapter}, its
 * metrics and the tracks-table writer. The task's retry topics and its dead-letter topic
 * {@code tally.dlt.tasks.search-track} are the SDK's ({@code tally.worker.*}).
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

    /**
     * The members of the {@code search-track} task's consumer group, which the YouTube adapter's jitter grows with.
     * Closed with the context: it owns an admin client.
     */
    @Bean
    @ConditionalOnExpression(YOUTUBE_SELECTED)
    ConsumerGroupSize searchGroupSize(KafkaAdmin admin, SearchProperties properties, WorkerProperties worker) {
        return new ConsumerGroupSize(admin.getConfigurationProperties(), worker.groupId(SearchTrackHandler.TASK_TYPE),
                properties.youtube().groupSizeRefresh());
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

    /**
     * The {@code search-track} task: the track's row written to the tracks table with {@code tally.search.send-timeout}.
     * Its retries are the worker SDK's ({@code tally.worker.tasks.search-track.retry.*}, else
     * {@code tally.worker.retry.*}), so the handler counts a failure as retried against those attempts.
     */
    @Bean
    TaskHandler<SearchTrackInput, SearchTrackOutput> searchTrackTask(TrackSearchAdapter adapter,
                                                                      KafkaTemplate<String, Object> template,
                                                                      SearchMetrics metrics, SearchProperties properties,
                                                                      WorkerProperties worker) {
        SearchTrackHandler.TrackTable tracks = row -> template.send(Topics.TRACKS.name(), row.getTrackKey(), row)
                .get(properties.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return TaskHandler.of(SearchTrackHandler.TASK_TYPE, SearchTrackInput.class, SearchTrackOutput.class,
                new SearchTrackHandler(adapter, properties.adapter().tag(), metrics,
                        worker.retry(SearchTrackHandler.TASK_TYPE).attempts(), tracks, Clock.systemUTC()));
    }
}
