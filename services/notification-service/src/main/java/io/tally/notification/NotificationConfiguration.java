package io.tally.notification;

import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.StreamsWiring;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.kafka.TransactionalOutcomes;
import io.tally.common.topics.Topics;
import io.tally.events.tasks.NotifyJobInput;
import io.tally.events.tasks.NotifyJobOutput;
import io.tally.notification.channels.EmailChannel;
import io.tally.notification.channels.NotificationChannel;
import io.tally.notification.channels.OutboxChannel;
import io.tally.notification.channels.WebhookChannel;
import io.tally.tasks.notification.SendNotificationInput;
import io.tally.tasks.notification.SendNotificationOutput;
import io.tally.worker.TaskHandler;
import io.tally.worker.TaskRetryTopics;
import io.tally.worker.WorkerProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Wires the deciding {@link NotificationTopology} into Spring Kafka's streams lifecycle and the service's
 * dead-letter topic, and the delivery consumer ({@link NotificationDelivery}) with the channels chosen by
 * {@code tally.notify.*}, its retry topics and its transactional outcome producer; and, beside them, the
 * {@code notify-job} task of the worker SDK.
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
        return new Notifier(channels);
    }

    @Bean
    StreamsBuilderFactoryBeanConfigurer notificationTopology(NotificationProperties config, AvroSerdes serdes, MeterRegistry meters) {
        return StreamsWiring.topology(Topics.NOTIFICATION_SERVICE_DLT,
                topology -> NotificationTopology.addTo(topology, config, serdes, meters));
    }

    /** The producer of delivery outcomes: Boot's producer settings, transactional under its own id prefix. */
    @Bean
    TransactionalOutcomes notificationOutcomes(ProducerFactory<?, ?> producers, AvroSerdes serdes, NotificationProperties config) {
        return new TransactionalOutcomes(producers.getConfigurationProperties(), serdes, config.delivery().transactionIdPrefix());
    }

    /**
     * The delivery consumer; it asks the topology's global sent table whether a channel has a notification already.
     * While the Streams client is not queryable (starting, restoring) the answer is no: delivery stays at-least-once.
     */
    @Bean(NotificationDelivery.BEAN_NAME)
    NotificationDelivery notificationDelivery(Notifier notifier, MeterRegistry meters, TransactionalOutcomes outcomes,
                                              StreamsBuilderFactoryBean streams) {
        NotificationDelivery.Delivered delivered = (notificationId, channel) -> {
            KafkaStreams kafkaStreams = streams.getKafkaStreams();
            try {
                return kafkaStreams != null && kafkaStreams.store(StoreQueryParameters.fromNameAndType(
                        NotificationTopology.DELIVERED_STORE, QueryableStoreTypes.<String, Long>keyValueStore()))
                        .get(notificationId + ":" + channel) != null;
            } catch (InvalidStateStoreException e) {
                log.debug("Sent table not queryable yet: {}", e.getMessage());
                return false;
            }
        };
        return new NotificationDelivery(notifier, new NotifyMetrics(meters), outcomes, delivered);
    }

    /**
     * The delivery chain's dead-letter topic as the catalogue specifies it (1 partition, kept 28 days), also where the
     * service does not create the catalogue's topics: Spring's admin prefers a regular {@code NewTopic} to the retry
     * chain's own, which would create the topic, or grow an existing one, with the 6 partitions of the requests.
     */
    @Bean
    NewTopic notificationDeadLetterTopic(TallyKafkaProperties kafka) {
        return Topics.NOTIFICATION_SERVICE_DLT.toNewTopic(Topics.NOTIFICATION_SERVICE_DLT.partitions(),
                kafka.replicationFactor());
    }

    /**
     * Failed deliveries wait on {@code tally.notifications.requested-retry-<ms>} topics with exponential back-off
     * ({@code tally.notify.retry.*}), then go to the service's dead-letter topic. Invalid intents skip the retries;
     * unreadable records are never retried (Spring's defaults). A failing DLT handler is logged, not re-sent.
     */
    @Bean
    RetryTopicConfiguration notificationRetryTopics(KafkaTemplate<String, Object> template, NotificationProperties config,
                                                    TallyKafkaProperties kafka) {
        NotificationProperties.Retry retry = config.retry();
        return RetryTopicConfigurationBuilder.newInstance()
                .includeTopic(Topics.NOTIFICATIONS_REQUESTED.name())
                .maxAttempts(retry.attempts() + 1)
                .exponentialBackoff(retry.initialBackoff().toMillis(), 2.0, retry.maxBackoff().toMillis())
                .notRetryOn(List.of(PoisonRecordException.class))
                .traversingCauses()
                .autoCreateTopicsWith(Topics.NOTIFICATIONS_REQUESTED.partitions(), kafka.replicationFactor())
                .dltHandlerMethod(NotificationDelivery.BEAN_NAME, NotificationDelivery.DLT_METHOD)
                .doNotRetryOnDltFailure()
                .create(template);
    }

    /**
     * The chain ends in {@code tally.dlt.notification-service}; each hop carries the channels already reached. Spring
     * takes one such bean for every chain of the application, so it also ends the {@code notify-job} task's chain, in
     * {@code tally.dlt.tasks.notify-job} (the worker SDK's own bean backs off when this one exists).
     */
    @Bean
    RetryTopicComponentFactory notificationRetryTopicComponentFactory() {
        return TaskRetryTopics.componentFactory(Topics.NOTIFICATION_SERVICE_DLT, NotificationDelivery::deliveredHeader);
    }

    /**
     * The {@code notify-job} task, beside the topology: it writes the job's summary as a delivery intent on
     * {@code tally.notifications.requested} (key: notification id, waiting {@code tally.worker.send-timeout} for the
     * broker), which {@link NotificationDelivery} sends through the configured channels like every other.
     */
    @Bean
    TaskHandler<NotifyJobInput, NotifyJobOutput> notifyJobTask(NotificationProperties config, MeterRegistry meters,
                                                                KafkaTemplate<String, Object> template,
                                                                WorkerProperties worker) {
        NotifyJobHandler.Intents intents = intent -> template.send(Topics.NOTIFICATIONS_REQUESTED.name(),
                intent.getNotificationId(), intent).get(worker.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return TaskHandler.of(NotifyJobHandler.TASK_TYPE, NotifyJobInput.class, NotifyJobOutput.class,
                new NotifyJobHandler(config, new NotifyMetrics(meters), intents, Clock.systemUTC()));
    }

    /**
     * The generic {@code send-notification} task: a pipeline's own subject and body, written as a delivery intent like
     * {@code notify-job}'s, so {@link NotificationDelivery} sends it once per channel.
     */
    @Bean
    TaskHandler<SendNotificationInput, SendNotificationOutput> sendNotificationTask(
            NotificationProperties config, MeterRegistry meters, KafkaTemplate<String, Object> template,
            WorkerProperties worker, Notifier notifier) {
        // The same intent writer as notify-job's: key = notification id, waiting for the broker.
        NotifyJobHandler.Intents intents = intent -> template.send(Topics.NOTIFICATIONS_REQUESTED.name(),
                intent.getNotificationId(), intent).get(worker.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return TaskHandler.of(SendNotificationHandler.TASK_TYPE, SendNotificationInput.class, SendNotificationOutput.class,
                new SendNotificationHandler(config, new NotifyMetrics(meters), intents,
                        List.copyOf(notifier.channelNames()), Clock.systemUTC()));
    }
}
