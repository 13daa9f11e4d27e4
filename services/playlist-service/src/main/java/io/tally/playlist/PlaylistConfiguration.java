package io.tally.playlist;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import java.time.Clock;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.web.client.RestClient;

/**
 * Wires {@link PlaylistTopology} into Spring Kafka's streams lifecycle and dead-letter topic, and picks the adapter
 * from {@code tally.playlist.adapter}.
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
                    meters, Clock.systemUTC());
        };
    }

    @Bean
    PlaylistMetrics playlistMetrics(MeterRegistry meters, PlaylistAdapter adapter) {
        return new PlaylistMetrics(meters, adapter.name());
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer playlistTopology(PlaylistProperties config, AvroSerdes serdes, PlaylistAdapter adapter,
                                                         PlaylistMetrics metrics) {
        return factoryBean -> {
            factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
                @Override
                public void configureBuilder(StreamsBuilder builder) {
                    PlaylistTopology.addTo(builder, config, serdes, adapter, metrics);
                }
            });
            // Sets errors.dead.letter.queue.topic.name: the LogAndContinue handlers then write poison records there.
            factoryBean.setDeadLetterTopicName(Topics.PLAYLIST_SERVICE_DLT.name());
        };
    }
}
