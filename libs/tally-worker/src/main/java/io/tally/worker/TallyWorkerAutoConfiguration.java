package io.tally.worker;

import io.tally.common.config.TallyKafkaAutoConfiguration;
import io.tally.common.kafka.AvroSerdes;
import io.micrometer.core.instrument.MeterRegistry;
import io.tally.common.kafka.TallyKafkaProperties;
import io.tally.common.topics.Topics;
import java.time.Clock;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.kafka.config.KafkaListenerConfigUtils;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.kafka.annotation.EnableKafkaRetryTopic;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicSchedulerWrapper;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The worker SDK: active in an application that declares at least one {@link TaskHandler} bean (so a service that
 * only uses the rate limiter does not get it). See libs/tally-worker/README.md.
 * Known gaps: it enables Spring Kafka's retry topic support itself ({@code @EnableKafkaRetryTopic}); an application
 * that also extends {@code RetryTopicConfigurationSupport} must not add this auto-configuration. An application with
 * retry topics of its own declares {@link TaskRetryTopics#componentFactory(io.tally.common.topics.TopicSpec)} as its
 * one {@code RetryTopicComponentFactory} (the start fails otherwise).
 */
@AutoConfiguration(after = {KafkaAutoConfiguration.class, TallyKafkaAutoConfiguration.class})
@ConditionalOnBean(TaskHandler.class)
@EnableKafkaRetryTopic
@EnableConfigurationProperties(WorkerProperties.class)
public class TallyWorkerAutoConfiguration {

    /** Bean name of the executor that runs handlers. */
    public static final String TASK_EXECUTOR = "tallyWorkerTaskExecutor";

    /** Static: a post-processor must not make this configuration (and its dependencies) initialize early. */
    @Bean
    static TaskEndpoints tallyTaskEndpoints() {
        return new TaskEndpoints();
    }

    /** The task types' schemas, registered before the listener containers start. */
    @Bean
    TaskContracts tallyTaskContracts(List<TaskHandler<?, ?>> handlers, AvroSerdes serdes) {
        return new TaskContracts(handlers, serdes);
    }

    @Bean
    WorkerMetrics tallyWorkerMetrics(MeterRegistry registry) {
        return new WorkerMetrics(registry);
    }

    @Bean
    CancelledJobs tallyCancelledJobs(ConsumerFactory<?, ?> consumers, AvroSerdes serdes) {
        return new CancelledJobs(consumers.getConfigurationProperties(), serdes);
    }

    @Bean
    TaskReports tallyTaskReports(KafkaTemplate<String, Object> template, AvroSerdes serdes, WorkerProperties properties,
                                 @Value("${spring.application.name:tally-worker}") String application) {
        String worker = properties.instanceId(application, hostname());
        return new TaskReports(template, serdes.subjectSerializer(), worker, properties.sendTimeout(), Clock.systemUTC());
    }

    /**
     * One thread per running task; the containers bound how many run (one per consumer thread). On shutdown the
     * containers stop first (lifecycle), then closing this executor waits up to {@code drain-timeout} for running
     * tasks, which write their results: it depends on {@link TaskReports}, so the producer is closed after it, and
     * on {@link WorkerPool}, whose STOPPED heartbeat therefore comes after the last result.
     */
    @Bean(TASK_EXECUTOR)
    SimpleAsyncTaskExecutor tallyWorkerTaskExecutor(TaskReports reports, WorkerProperties properties, WorkerPool pool) {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("tally-task-");
        executor.setTaskTerminationTimeout(properties.drainTimeout().toMillis());
        return executor;
    }

    /** This instance in its pool: heartbeats, session recovery, leader-only work and the drain on shutdown. */
    @Bean
    WorkerPool tallyWorkerPool(WorkerProperties properties, ObjectProvider<TaskHandler<?, ?>> handlers,
                               KafkaTemplate<String, Object> template, AvroSerdes serdes, ConsumerFactory<?, ?> consumers,
                               KafkaAdmin admin, MeterRegistry meters, ObjectProvider<LeaderTask> leaderTasks,
                               @Qualifier(KafkaListenerConfigUtils.KAFKA_LISTENER_ENDPOINT_REGISTRY_BEAN_NAME)
                               KafkaListenerEndpointRegistry containers,
                               @Value("${spring.application.name:tally-worker}") String application) {
        return new WorkerPool(properties, properties.instanceId(application, hostname()), application, hostname(),
                () -> handlers.stream().map(TaskHandler::taskType).toList(), template, serdes,
                consumers.getConfigurationProperties(), admin.getConfigurationProperties(), meters, containers,
                () -> leaderTasks.orderedStream().toList(), Clock.systemUTC());
    }

    /**
     * The lease topic of leader-only work, whenever a {@link LeaderTask} is declared: the election cannot run without
     * it, and it holds no data, so it is created even where the worker does not create its task topics.
     */
    @Bean
    @ConditionalOnBean(LeaderTask.class)
    NewTopic tallyWorkerLeasesTopic(TallyKafkaProperties kafka) {
        return Topics.WORKER_LEASES.toNewTopic(1, kafka.replicationFactor());
    }

    /**
     * The compacted heartbeat topic where the worker creates its own topics but not the catalogue's (which has it):
     * such a local stack must not get a plain topic auto-created by the first heartbeat.
     */
    @Bean
    KafkaAdmin.NewTopics tallyWorkerHeartbeatsTopic(TallyKafkaProperties kafka, WorkerProperties properties) {
        boolean create = properties.createsTopics(kafka.createTopics()) && !kafka.createTopics();
        return create ? new KafkaAdmin.NewTopics(Topics.WORKER_HEARTBEATS.toNewTopic(1, kafka.replicationFactor()))
                : new KafkaAdmin.NewTopics();
    }

    private static String hostname() {
        return System.getenv().getOrDefault("HOSTNAME", "local");
    }

    /**
     * The scheduler that resumes retry-topic partitions when a record's back-off is due. Spring creates one itself
     * only for {@code @KafkaListener} endpoints; with {@code @EnableKafkaRetryTopic} it must be a bean.
     */
    @Bean
    @ConditionalOnMissingBean
    RetryTopicSchedulerWrapper tallyRetryTopicScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("tally-retry-backoff-");
        scheduler.initialize();
        return new RetryTopicSchedulerWrapper(scheduler);
    }

    /**
     * Each task type's retry chain ends in {@code tally.dlt.tasks.<type>}; every hop carries the reason and, for a
     * {@link TaskFailedException}, its code, which the FAILED result written from the dead-letter topic reports. An
     * application with retry topics of its own declares {@link TaskRetryTopics#componentFactory(io.tally.common.topics.TopicSpec)}
     * instead (Spring takes one such bean).
     */
    @Bean
    @ConditionalOnMissingBean
    RetryTopicComponentFactory tallyTaskRetryTopicComponentFactory() {
        return TaskRetryTopics.componentFactory();
    }
}
