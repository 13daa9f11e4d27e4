package io.tally.playlist;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.WorkerProperties;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.web.client.RestClient;

/**
 * Picks the adapter from {@code tally.playlist.adapter}, wires the tables ({@link PlaylistTopology}) into Spring Kafka's
 * streams lifecycle, and the {@code build-playlist} task of the worker SDK (whose retry chain ends in
 * {@code tally.dlt.tasks.build-playlist}: the service has no retry topics of its own, so the SDK's components apply).
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
        // Global stores only, and Kafka Streams writes no dead letters from a global store: bad records are logged and skipped.
        return StreamsWiring.builder(builder -> PlaylistTopology.addTo(builder, serdes));
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
