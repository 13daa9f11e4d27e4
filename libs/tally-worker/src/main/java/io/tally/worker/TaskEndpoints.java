package io.tally.worker;

import io.tally.common.errors.PoisonRecordException;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import io.tally.common.topics.Topics;
import io.tally.worker.ratelimit.ConsumerGroupSize;
import io.tally.worker.ratelimit.GroupAwareJitter;
import io.tally.worker.ratelimit.Throttle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.kafka.autoconfigure.ConcurrentKafkaListenerContainerFactoryConfigurer;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListenerAnnotationBeanPostProcessor;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.config.MethodKafkaListenerEndpoint;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicBeanNames;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.kafka.retrytopic.RetryTopicConfigurer;
import org.springframework.kafka.support.EndpointHandlerMethod;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Turns every {@link TaskHandler} bean into listener endpoints, the way Spring Kafka turns a {@code @KafkaListener}
 * with a {@code RetryTopicConfiguration} into endpoints (its documented programmatic construction): the request
 * topic {@code tally.tasks.<type>}, its retry topics and its dead-letter topic {@code tally.dlt.tasks.<type>}, all
 * in group {@code tally-worker-<type>} (Spring suffixes the retry and DLT groups). It also declares the request and
 * dead-letter topics as {@code NewTopic} beans; Spring declares the retry topics. It runs while the handler beans are
 * created, like Spring's own annotation processing, so the topics exist before {@code KafkaAdmin} creates them.
 * All container creation is in {@link #containerFactory}: a share-group mode would be added there. A type whose
 * chain the application's {@code RetryTopicComponentFactory} would end elsewhere fails the start
 * ({@link TaskRetryTopics#check}).
 */
final class TaskEndpoints implements BeanPostProcessor, BeanFactoryAware {

    private ConfigurableListableBeanFactory beanFactory;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        if (bean instanceof TaskHandler<?, ?> handler) {
            register(handler);
        }
        return bean;
    }

    /** {@code session.timeout.ms} of the task consumers unless the application sets one. */
    static final int STATIC_SESSION_TIMEOUT_MS = 45_000;

    /** The id of a task type's main listener endpoint; retry and DLT endpoints add Spring's suffixes. */
    static String listenerId(String taskType) {
        return "tally-worker-" + taskType;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void register(TaskHandler<?, ?> handler) {
        WorkerProperties properties = beanFactory.getBean(WorkerProperties.class);
        TallyKafkaProperties kafka = beanFactory.getBean(TallyKafkaProperties.class);
        String type = handler.taskType();
        String topic = TaskHeaders.requestTopic(type);
        String groupId = properties.groupId(type);
        boolean createTopics = properties.createsTopics(kafka.createTopics());
        if (createTopics) {
            // The catalogue's specs: job-keyed request topics, and one-partition dead-letter topics kept as long as the
            // catalogue's; KafkaAdmin prefers these definitions to Spring's retry-topic defaults.
            beanFactory.registerSingleton(topic + "-newTopic", Topics.taskRequests(topic).orElseThrow()
                    .toNewTopic(kafka.partitions(), kafka.replicationFactor()));
            TopicSpec<byte[]> deadLetters = Topics.taskDeadLetters(TaskHeaders.deadLetterTopic(type)).orElseThrow();
            if (properties.deadLetterRetention() != null) {
                deadLetters = new TopicSpec<>(deadLetters.name(), deadLetters.valueType(), deadLetters.partitions(),
                        deadLetters.jobKeyed(), deadLetters.cleanupPolicy(), properties.deadLetterRetention());
            }
            beanFactory.registerSingleton(deadLetters.name() + "-newTopic",
                    deadLetters.toNewTopic(deadLetters.partitions(), kafka.replicationFactor()));
        }

        TaskListener<?> listener = new TaskListener(handler, beanFactory.getBean(TaskReports.class),
                beanFactory.getBean(CancelledJobs.class), beanFactory.getBean(WorkerMetrics.class),
                throttle(properties.rateLimit(type), groupId), beanFactory.getBean(TallyWorkerAutoConfiguration.TASK_EXECUTOR,
                Executor.class), properties.maxEventAge(type),
                beanFactory.getBean(WorkerPool.class));
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = containerFactory(handler, properties);
        WorkerProperties.Retry retry = properties.retry(type);
        RetryTopicConfiguration retryTopics = RetryTopicConfigurationBuilder.newInstance()
                .includeTopic(topic)
                .maxAttempts(retry.attempts())
                .exponentialBackoff(retry.initialDelay().toMillis(), retry.multiplier(), retry.maxDelay().toMillis())
                // A request without its metadata cannot be fixed by retrying; unreadable values are never retried
                // either (Spring's defaults), nor is a request too old to run. Any other non-retryable
                // TaskFailedException never reaches the error handler.
                .notRetryOn(List.of(PoisonRecordException.class, MaxEventAgeExceededException.class))
                .traversingCauses()
                .autoCreateTopics(createTopics, kafka.partitions(), kafka.replicationFactor())
                .dltHandlerMethod(new EndpointHandlerMethod(listener, TaskListener.ON_DEAD_LETTER))
                // A failing DLT handler is logged, not dead-lettered again, so a bad dead letter cannot loop.
                .doNotRetryOnDltFailure()
                .listenerFactory(factory)
                .create(beanFactory.getBean(KafkaTemplate.class));
        // Spring takes the application's one RetryTopicComponentFactory, else its own default (chains end in -dlt).
        TaskRetryTopics.check(beanFactory.getBeanProvider(RetryTopicComponentFactory.class)
                .getIfUnique(RetryTopicComponentFactory::new), retryTopics, type);

        KafkaListenerAnnotationBeanPostProcessor<?, ?> annotations = beanFactory.getBean(
                KafkaListenerConfigUtils.KAFKA_LISTENER_ANNOTATION_PROCESSOR_BEAN_NAME,
                KafkaListenerAnnotationBeanPostProcessor.class);
        MethodKafkaListenerEndpoint<String, Object> main = new MethodKafkaListenerEndpoint<>();
        main.setBean(listener);
        main.setMethod(TaskListener.ON_TASK);
        int concurrency = properties.concurrency(type);
        RetryTopicConfigurer.EndpointProcessor endpoints = endpoint -> {
            endpoint.setMessageHandlerMethodFactory(annotations.getMessageHandlerMethodFactory());
            endpoint.setTopics(topic);
            endpoint.setId(listenerId(type));
            endpoint.setGroupId(groupId);
            endpoint.setConcurrency(concurrency);
        };
        // The main endpoint's id must be set before: Spring keys the chain's destinations by it.
        endpoints.accept(main);
        beanFactory.getBean(RetryTopicBeanNames.RETRY_TOPIC_CONFIGURER_BEAN_NAME, RetryTopicConfigurer.class)
                .processMainAndRetryListeners(endpoints, main, retryTopics, annotations.getEndpointRegistrar(), factory,
                        KafkaListenerAnnotationBeanPostProcessor.DEFAULT_KAFKA_LISTENER_CONTAINER_FACTORY_BEAN_NAME);
    }

    /**
     * The listener containers of one task type: Spring Boot's {@code spring.kafka.listener.*} settings, the
     * application's consumer settings, the handler's input type read through the registry, one record per poll
     * (so each consumer thread runs one task at a time), and a static member id per type.
     */
    private ConcurrentKafkaListenerContainerFactory<Object, Object> containerFactory(TaskHandler<?, ?> handler,
                                                                                      WorkerProperties properties) {
        AvroSerdes serdes = beanFactory.getBean(AvroSerdes.class);
        Map<String, Object> config = new HashMap<>(beanFactory.getBean(ConsumerFactory.class).getConfigurationProperties());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // The engine writes requests in its transactions: an aborted one must never run, and a new worker group starts
        // with the requests already waiting, whatever the application's own consumers are set to.
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId(properties) + "-" + handler.taskType());
        // Static membership: an instance back within the session timeout takes its partitions back with no rebalance
        // of the others; a crashed one keeps them that long. Kafka's default (45 s), stated so the choice is visible.
        config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, STATIC_SESSION_TIMEOUT_MS);
        Class<?> inputType = handler.inputType();
        DefaultKafkaConsumerFactory<Object, Object> consumers = new DefaultKafkaConsumerFactory<>(config,
                () -> (org.apache.kafka.common.serialization.Deserializer) new StringDeserializer(),
                () -> new ErrorHandlingDeserializer<>(serdes.deserializer(
                        inputType.asSubclass(org.apache.avro.specific.SpecificRecord.class))), false);
        ConcurrentKafkaListenerContainerFactory<Object, Object> factory = new ConcurrentKafkaListenerContainerFactory<>();
        beanFactory.getBean(ConcurrentKafkaListenerContainerFactoryConfigurer.class).configure(factory, consumers);
        return factory;
    }

    private String instanceId(WorkerProperties properties) {
        Environment environment = beanFactory.getBean(Environment.class);
        return properties.instanceId(environment.getProperty("spring.application.name", "tally-worker"),
                environment.getProperty("HOSTNAME", "local"));
    }

    private Throttle throttle(WorkerProperties.RateLimit limit, String groupId) {
        if (!limit.enabled()) {
            return null;
        }
        // Closed with the context: it owns an admin client.
        ConsumerGroupSize members = new ConsumerGroupSize(
                beanFactory.getBean(KafkaAdmin.class).getConfigurationProperties(), groupId, limit.groupSizeRefresh());
        beanFactory.registerSingleton(groupId + "-groupSize", members);
        return new Throttle(limit.requestsPerSecond(), new GroupAwareJitter(limit.baseJitter(), members));
    }
}
