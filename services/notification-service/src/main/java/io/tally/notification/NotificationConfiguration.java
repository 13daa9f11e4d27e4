package io.tally.notification;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import io.tally.notification.channels.EmailChannel;
import io.tally.notification.channels.NotificationChannel;
import io.tally.notification.channels.OutboxChannel;
import io.tally.notification.channels.WebhookChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Wires the channels chosen by {@code tally.notify.*} and {@link NotificationTopology} into Spring Kafka's streams
 * lifecycle and the service's dead-letter topic.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class NotificationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(NotificationConfiguration.class);

    @Bean
    Notifier notifier(NotificationProperties config, ObjectProvider<JavaMailSender> mail) {
        List<NotificationChannel> channels = new ArrayList<>();
        if (config.email().enabled()) {
            JavaMailSender sender = mail.getIfAvailable();
            if (sender == null) {
                throw new IllegalStateException("tally.notify.email.enabled is true but no SMTP server is configured: set spring.mail.host");
            }
            channels.add(new EmailChannel(sender, config.email().from(), config.email().to()));
        }
        if (config.webhook().enabled()) {
            channels.add(new WebhookChannel(config.webhook().url(), config.webhook().connectTimeout(), config.webhook().readTimeout()));
        }
        if (channels.isEmpty()) {
            // No accounts configured: keep the notifications visible on disk instead of dropping them.
            channels.add(new OutboxChannel(config.outboxDir()));
        }
        log.info("Notification channels: {}", channels.stream().map(NotificationChannel::name).toList());
        return new Notifier(channels, config.retry());
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer notificationTopology(NotificationProperties config, AvroSerdes serdes, Notifier notifier,
                                                             MeterRegistry meters) {
        return factoryBean -> {
            factoryBean.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
                @Override
                public void configureTopology(Topology topology) {
                    NotificationTopology.addTo(topology, config, serdes, notifier, meters);
                }
            });
            // Sets errors.dead.letter.queue.topic.name: the LogAndContinue handlers then write poison records there.
            factoryBean.setDeadLetterTopicName(Topics.NOTIFICATION_SERVICE_DLT.name());
        };
    }
}
